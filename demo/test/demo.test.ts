import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/main.js';

describe('demo', () => {
  it('walks through every step against a real server process and stops it', async () => {
    const lines: string[] = [];
    await runDemo((line) => lines.push(line));
    const transcript = lines.join('\n');
    expect(transcript).toMatch(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(transcript).toContain('declare function getOrder(args: { id: string; }): Promise<Order>;');
    expect(transcript).toContain('← {"jsonrpc":"2.0","id":2,"result":{"value":142.5}}');
    expect(transcript).toMatch(/← \{"jsonrpc":"2.0","id":\d+,"method":"invoke","params":\{"name":"confirm"/);
    expect(transcript).toMatch(/"result":\{"value":\{"\$scomp":\{"kind":"fn","id":"fn_/);
    expect(transcript).toContain('= "Grace Hopper"');
    expect(transcript).toContain('o.id = "o_001"');
    expect(transcript).toContain('stopped (exit code 0)');
    expect(lines.at(-1)).toBe('all steps passed');
  });
});
