import { describe, expect, it } from 'vitest';
import { MessageTooLargeError } from '../src/errors.js';
import { encodeLine, LineDecoder } from '../src/ndjson.js';

function decoder(maxMessageBytes = 1024) {
  const messages: string[] = [];
  return { messages, decoder: new LineDecoder(maxMessageBytes, (message) => messages.push(message)) };
}

describe('ndjson framing', () => {
  it('ends each message with a newline', () => {
    expect(encodeLine('{"a":1}')).toBe('{"a":1}\n');
  });

  it('turns raw line breaks (whitespace in JSON) into spaces', () => {
    const pretty = JSON.stringify({ a: 'x\ny', b: [1] }, null, 2);
    const line = encodeLine(pretty);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual({ a: 'x\ny', b: [1] });
  });

  it('splits many messages in one chunk', () => {
    const { messages, decoder: d } = decoder();
    d.push(Buffer.from('{"a":1}\n{"a":2}\n{"a":3}\n'));
    expect(messages).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
  });

  it('joins a message split across chunks, even inside a multi-byte character', () => {
    const { messages, decoder: d } = decoder();
    const bytes = Buffer.from('{"s":"€🎉"}\n');
    for (let i = 0; i < bytes.length; i++) d.push(bytes.subarray(i, i + 1));
    expect(messages).toEqual(['{"s":"€🎉"}']);
  });

  it('handles a large message delivered in pieces', () => {
    const { messages, decoder: d } = decoder(2 * 1024 * 1024);
    const big = JSON.stringify({ filler: 'y'.repeat(1024 * 1024) });
    const bytes = Buffer.from(big + '\n');
    for (let i = 0; i < bytes.length; i += 65536) d.push(bytes.subarray(i, i + 65536));
    expect(messages).toEqual([big]);
  });

  it('accepts CRLF line ends and skips blank lines', () => {
    const { messages, decoder: d } = decoder();
    d.push(Buffer.from('{"a":1}\r\n\n  \n{"a":2}\n'));
    expect(messages).toEqual(['{"a":1}', '{"a":2}']);
  });

  it('returns a final message that lacks its newline at end of stream', () => {
    const { messages, decoder: d } = decoder();
    d.push(Buffer.from('{"a":1}\n{"a"'));
    d.push(Buffer.from(':2}'));
    expect(d.end()).toBe('{"a":2}');
    expect(messages).toEqual(['{"a":1}']);
  });

  it('rejects a line over the limit, after delivering the messages before it', () => {
    const { messages, decoder: d } = decoder(16);
    expect(() => d.push(Buffer.from('{"a":1}\n' + 'z'.repeat(17) + '\n'))).toThrow(MessageTooLargeError);
    expect(messages).toEqual(['{"a":1}']);
  });

  it('rejects an unterminated line as soon as it passes the limit', () => {
    const { decoder: d } = decoder(16);
    d.push(Buffer.from('z'.repeat(10)));
    expect(() => d.push(Buffer.from('z'.repeat(10)))).toThrow(/maxMessageBytes \(16 bytes\)/);
  });

  it('accepts a line of exactly the limit', () => {
    const { messages, decoder: d } = decoder(8);
    d.push(Buffer.from('12345678\n'));
    expect(messages).toEqual(['12345678']);
  });
});
