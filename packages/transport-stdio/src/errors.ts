/** A received message was larger than `maxMessageBytes`; the transport closed rather than buffer it. */
export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
  readonly maxMessageBytes: number;
  constructor(maxMessageBytes: number) {
    super(`message exceeds maxMessageBytes (${maxMessageBytes} bytes)`);
    this.maxMessageBytes = maxMessageBytes;
  }
}

/** The server process ended without being asked to. Carries its exit code or the signal that killed it. */
export class ChildProcessExitError extends Error {
  override name = 'ChildProcessExitError';
  /** The exit code, or null when a signal ended the process. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The tail of the captured stderr (only with `stderr: 'pipe'`). */
  readonly stderr: string;
  constructor(exitCode: number | null, signal: NodeJS.Signals | null, stderr = '') {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super(stderr ? `server process ${how}: ${lastLine(stderr)}` : `server process ${how}`);
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderr = stderr;
  }
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

/** The peer stopped reading: more than `maxBufferedBytes` waited to be written, so the transport closed. */
export class SendBufferFullError extends Error {
  override name = 'SendBufferFullError';
  readonly maxBufferedBytes: number;
  constructor(maxBufferedBytes: number) {
    super(`send buffer exceeded maxBufferedBytes (${maxBufferedBytes} bytes): the peer is not reading`);
    this.maxBufferedBytes = maxBufferedBytes;
  }
}
