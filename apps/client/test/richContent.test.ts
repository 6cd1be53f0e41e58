import { describe, expect, it } from 'vitest';
import type { Binding } from '@scomp/peer';
import { htmlToText, richContentBindings } from '../src/index.js';

function bindings() {
  const lines: string[] = [];
  const byName = new Map<string, Binding>(richContentBindings((text) => lines.push(text)).map((binding) => [binding.meta.name, binding]));
  const context = { signal: new AbortController().signal, sessionId: 's', invoke: () => Promise.resolve() };
  const call = (name: string, args: unknown) => byName.get(name)!.call(args, context);
  return { lines, call };
}

describe('rich content in the terminal', () => {
  it('prints structured log entries with their level and data', async () => {
    const { lines, call } = bindings();
    await call('log', { level: 'warn', message: 'slow call', data: { ms: 12 } });
    await call('log', { level: 'info', message: 'plain' });
    expect(lines).toEqual(['[log warn] slow call { ms: 12 }\n', '[log info] plain\n']);
    await expect(call('log', { level: 'loud', message: 'x' })).rejects.toMatchObject({ name: 'InvalidParamsError' });
  });

  it('shows HTML panels as text, updates and clears them, and answers get', async () => {
    const { lines, call } = bindings();
    await expect(call('html_panel.show', { id: 'p', label: 'only a label' })).rejects.toMatchObject({ name: 'InvalidParamsError' });
    await call('html_panel.show', { id: 'p', label: 'Tour', contents: '<h1>Step 1</h1><p>Open <b>a.ts</b> &amp; read</p>' });
    expect(lines.pop()).toBe('┌ panel Tour (p)\nStep 1\nOpen a.ts & read\n└────────\n');
    await call('html_panel.show', { id: 'p', contents: '<ul><li>one</li><li>two</li></ul>' });
    expect(lines.pop()).toBe('┌ panel Tour (p)\n- one\n- two\n└────────\n');
    expect(await call('html_panel.get', { id: 'p' })).toBe('<ul><li>one</li><li>two</li></ul>');
    await call('html_panel.clear', { id: 'p' });
    expect(await call('html_panel.get', { id: 'p' })).toBeNull();
    expect(htmlToText('<script>x()</script>a&lt;b')).toBe('a<b');
  });

  it('prints file comments with their location', async () => {
    const { lines, call } = bindings();
    await call('file_comment.show', { id: 'c1', url: 'file:///src/a.ts', start: { line: 3 }, can_reply: false, body: 'Why here?' });
    await call('file_comment.show', { id: 'c2', url: 'file:///src/a.ts', start: { line: 3, column: 5 }, end: { line: 4, column: 1 }, can_reply: true });
    expect(lines).toEqual(['[comment c1] file:///src/a.ts:3\n  Why here?\n', '[comment c2] file:///src/a.ts:3:5-4:1 (replies welcome)\n']);
  });
});
