import { MessageTooLargeError } from './errors.js';

const NEWLINE = 0x0a;

/**
 * Frames one message as a line. A raw line break can only be insignificant whitespace in a JSON text
 * (inside strings it is always escaped), so replacing it with a space keeps the message intact.
 */
export function encodeLine(message: string): string {
  return (/[\r\n]/.test(message) ? message.replace(/\r\n|[\r\n]/g, ' ') : message) + '\n';
}

/**
 * Splits a byte stream into newline-delimited UTF-8 messages. Splitting on the newline byte is safe
 * because 0x0A never occurs inside a multi-byte UTF-8 sequence, so chunks may end anywhere.
 */
export class LineDecoder {
  private parts: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly onMessage: (message: string) => void,
  ) {}

  /**
   * Delivers every message the chunk completes, in order. Throws {@link MessageTooLargeError} on an
   * over-size line, after delivering the messages before it.
   */
  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      this.reserve(piece.length);
      const line = this.parts.length > 0 ? Buffer.concat([...this.parts, piece]) : piece;
      this.parts = [];
      this.pendingBytes = 0;
      const message = decode(line);
      if (message !== undefined) this.onMessage(message);
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.reserve(rest.length);
      this.pendingBytes += rest.length;
      this.parts.push(rest);
    }
  }

  /** At end of stream: a last message that lacked its newline, if any. */
  end(): string | undefined {
    const line = Buffer.concat(this.parts);
    this.parts = [];
    this.pendingBytes = 0;
    return decode(line);
  }

  private reserve(bytes: number): void {
    if (this.pendingBytes + bytes > this.maxMessageBytes) {
      this.parts = [];
      this.pendingBytes = 0;
      throw new MessageTooLargeError(this.maxMessageBytes);
    }
  }
}

/** Tolerates CRLF line ends and skips blank lines. */
function decode(line: Buffer): string | undefined {
  const text = line.toString('utf8');
  const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
  return trimmed.trim() === '' ? undefined : trimmed;
}
