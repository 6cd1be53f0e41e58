import type { Readable, Writable } from 'node:stream';
import { ConnectionClosedError, TransportInbox, type Transport, type TransportCloseInfo, type TransportHandler } from '@scomp/peer';
import { SendBufferFullError } from './errors.js';
import { encodeLine, LineDecoder } from './ndjson.js';

export interface StreamTransportOptions {
  maxMessageBytes: number;
  maxBufferedBytes: number;
  /** The input ended, or a stream failed. The owner decides when and how the transport closes. */
  onEnded(side: 'input' | 'output', error?: Error): void;
  /** The transport closed (any cause); release what it runs on. Called once. */
  onClosed(info: TransportCloseInfo): void;
}

const ignore = (): void => {};

/** A transport over a readable/writable pair carrying newline-delimited JSON. */
export class StreamTransport implements Transport {
  private readonly inbox = new TransportInbox();
  private readonly decoder: LineDecoder;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly options: StreamTransportOptions,
  ) {
    this.decoder = new LineDecoder(options.maxMessageBytes, (message) => this.inbox.deliver(message));
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.on('error', this.onInputError);
    output.on('error', this.onOutputError);
    // A stream may still report an error after the transport closed; it must never go unhandled.
    input.on('error', ignore);
    output.on('error', ignore);
  }

  get closed(): boolean {
    return this.inbox.closed;
  }

  get ended(): Promise<TransportCloseInfo> {
    return this.inbox.ended;
  }

  start(handler: TransportHandler): void {
    this.inbox.start(handler);
  }

  send(message: string): void {
    if (this.inbox.closed) throw new ConnectionClosedError('transport closed');
    this.output.write(encodeLine(message));
    if (this.output.writableLength > this.options.maxBufferedBytes) {
      const error = new SendBufferFullError(this.options.maxBufferedBytes);
      this.finish({ reason: error.message, error });
    }
  }

  close(info: TransportCloseInfo = {}): void {
    this.finish(info);
  }

  /** Closes with `info` unless already closed. Close reaches the handler after what was delivered so far. */
  finish(info: TransportCloseInfo): void {
    if (!this.inbox.close(info)) return;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onInputError);
    this.output.off('error', this.onOutputError);
    this.options.onClosed(info);
  }

  private readonly onData = (chunk: Buffer | string): void => {
    try {
      this.decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    } catch (error) {
      this.finish({ reason: (error as Error).message, error: error as Error });
    }
  };

  private readonly onEnd = (): void => {
    const last = this.decoder.end();
    if (last !== undefined) this.inbox.deliver(last);
    this.options.onEnded('input');
  };

  private readonly onInputError = (error: Error): void => this.options.onEnded('input', error);
  private readonly onOutputError = (error: Error): void => this.options.onEnded('output', error);

}
