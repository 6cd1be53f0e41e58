import { describe, expect, it } from 'vitest';
import { durationMs, Timeline } from '../src/timeline.js';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const message = (value: object) => JSON.stringify({ jsonrpc: '2.0', ...value });

describe('the timeline', () => {
  it('pairs requests with responses and links the invokes an eval caused, with durations', () => {
    const time = clock();
    const timeline = new Timeline(time.now);
    const evalRequest = timeline.add(1, 'out', message({ id: 1, method: 'eval', params: { code: 'x' } }));
    time.advance(5);
    const log = timeline.add(1, 'in', message({ method: 'invoke', params: { name: 'console', args: { level: 'log', args: [] } } }));
    const ask = timeline.add(1, 'in', message({ id: 7, method: 'invoke', params: { name: 'confirm', args: { message: '?' } } }));
    time.advance(20);
    const answer = timeline.add(1, 'out', message({ id: 7, result: { value: true } }));
    time.advance(3);
    const result = timeline.add(1, 'in', message({ id: 1, result: { value: 1 } }));
    const later = timeline.add(1, 'in', message({ method: 'invoke', params: { name: 'console', args: { level: 'log', args: [] } } }));

    expect(evalRequest.caused).toEqual([log, ask]);
    expect(ask.causedBy).toBe(evalRequest);
    expect(later.causedBy).toBeUndefined();
    expect(answer).toMatchObject({ kind: 'response', method: 'invoke', request: ask });
    expect(result).toMatchObject({ kind: 'response', method: 'eval', request: evalRequest });
    expect(durationMs(ask)).toBe(20);
    expect(durationMs(evalRequest)).toBe(28);
    expect(evalRequest.bytes).toBe(new TextEncoder().encode(evalRequest.text).length);
  });

  it('keeps ids of different connections and directions apart', () => {
    const timeline = new Timeline(() => 0);
    const first = timeline.add(1, 'out', message({ id: 1, method: 'eval', params: { code: 'x' } }));
    const theirs = timeline.add(1, 'in', message({ id: 1, method: 'invoke', params: { name: 'notify' } }));
    timeline.connectionClosed(1);
    const second = timeline.add(2, 'out', message({ id: 1, method: 'eval', params: { code: 'y' } }));
    const answer = timeline.add(2, 'in', message({ id: 1, result: { value: 2 } }));
    expect(theirs.causedBy).toBe(first);
    expect(answer.request).toBe(second);
    expect(first.response).toBeUndefined();
  });

  it('exports the transcript in the order messages passed, with sides, sizes and times', () => {
    const timeline = new Timeline(() => 0);
    timeline.add(1, 'out', message({ id: 1, method: 'handshake', params: {} }));
    timeline.add(1, 'in', 'not json');
    expect(timeline.transcript()).toEqual([
      { from: 'client', connection: 1, atMs: 0, bytes: 57, message: { jsonrpc: '2.0', id: 1, method: 'handshake', params: {} } },
      { from: 'server', connection: 1, atMs: 0, bytes: 8, message: 'not json' },
    ]);
  });
});
