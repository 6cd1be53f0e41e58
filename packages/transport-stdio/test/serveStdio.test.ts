import { PassThrough, Writable } from 'node:stream';
import type { TransportCloseInfo } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { MessageTooLargeError, SendBufferFullError, serveStdio } from '../src/index.js';

function serve(options: { maxMessageBytes?: number; maxBufferedBytes?: number } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const transport = serveStdio({ stdin, stdout, ...options });
  const messages: string[] = [];
  const closed = new Promise<TransportCloseInfo>((close) => transport.start({ message: (m) => messages.push(m), close }));
  return { stdin, stdout, transport, messages, closed };
}

describe('serveStdio', () => {
  it('closes without an error when stdin ends', async () => {
    const { stdin, messages, closed } = serve();
    stdin.end('{"a":1}\n{"a":2}');
    expect(await closed).toEqual({ reason: 'stdin ended' });
    expect(messages).toEqual(['{"a":1}', '{"a":2}']);
  });

  it('writes one message per line', () => {
    const { stdout, transport } = serve();
    transport.send('{"a":1}');
    transport.send('{\n"b": 2\n}');
    expect(stdout.read().toString()).toBe('{"a":1}\n{ "b": 2 }\n');
  });

  it('closes with an error on an over-size message and stops reading', async () => {
    const { stdin, transport, messages, closed } = serve({ maxMessageBytes: 10 });
    stdin.write('{"a":1}\n' + 'x'.repeat(11) + '\n{"a":2}\n');
    const info = await closed;
    expect(info.error).toBeInstanceOf(MessageTooLargeError);
    expect(messages).toEqual(['{"a":1}']);
    expect(transport.closed).toBe(true);
    expect(stdin.isPaused()).toBe(true);
  });

  it('closes with an error when the client stops reading', async () => {
    // A writable that never finishes a write: everything after the first stays buffered.
    const stuck = new Writable({ write: () => {} });
    const transport = serveStdio({ stdin: new PassThrough(), stdout: stuck, maxBufferedBytes: 100 });
    const closed = new Promise<TransportCloseInfo>((close) => transport.start({ message: () => {}, close }));
    for (let i = 0; i < 20 && !transport.closed; i++) transport.send(JSON.stringify({ i, pad: 'p'.repeat(20) }));
    const info = await closed;
    expect(info.error).toBeInstanceOf(SendBufferFullError);
    expect(info.reason).toMatch(/maxBufferedBytes \(100 bytes\)/);
  });

  it('ends stdout when closed', async () => {
    const { stdout, transport, closed } = serve();
    const ended = new Promise((resolve) => stdout.on('end', resolve));
    stdout.resume();
    transport.close({ reason: 'done' });
    expect(await closed).toEqual({ reason: 'done' });
    await ended;
  });
});
