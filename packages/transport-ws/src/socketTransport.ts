import { ConnectionClosedError, exceedsUtf8Bytes, TransportInbox, type Transport, type TransportCloseInfo, type TransportHandler } from '@scomp/peer';
import { describeCloseCode, isOrderlyClose, WebSocketCloseCode } from './closeCodes.js';
import { WebSocketClosedError } from './errors.js';

/** The few socket operations the transport needs, so browser and `ws` sockets fit alike. */
export interface SocketPort {
  send(data: string): void;
  readonly bufferedAmount: number;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Drops the connection at once, for a peer that is gone or not reading. */
  abort(code: number, reason: string): void;
}

export interface SocketTransportOptions {
  maxMessageBytes: number;
  maxBufferedBytes: number;
  /** Called once when the transport closes for any reason (stop timers, untrack the connection). */
  onClosed?: () => void;
}

/**
 * A transport over one open WebSocket. The owner feeds it socket events (`received`, `socketClosed`, …);
 * it buffers until `start`, enforces the size and buffer limits, and reports close exactly once.
 */
export class SocketTransport implements Transport {
  private readonly inbox = new TransportInbox();

  constructor(
    private readonly port: SocketPort,
    private readonly options: SocketTransportOptions,
  ) {}

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
    this.port.send(message);
    if (this.port.bufferedAmount > this.options.maxBufferedBytes) {
      this.fail(
        WebSocketCloseCode.SendBufferFull,
        `send buffer exceeded maxBufferedBytes (${this.options.maxBufferedBytes} bytes): the peer is not reading`,
        true,
      );
    }
  }

  close(info: TransportCloseInfo = {}): void {
    if (this.inbox.closed) return;
    const code = info.code ?? WebSocketCloseCode.Normal;
    this.finish(info);
    this.port.close(code, info.reason ?? '');
  }

  /** A text message arrived. */
  received(message: string): void {
    if (this.inbox.closed) return;
    if (exceedsUtf8Bytes(message, this.options.maxMessageBytes)) {
      this.tooBig();
      return;
    }
    this.inbox.deliver(message);
  }

  /** A binary message arrived. */
  receivedBinary(): void {
    this.fail(WebSocketCloseCode.UnsupportedData, describeCloseCode(WebSocketCloseCode.UnsupportedData));
  }

  tooBig(): void {
    this.fail(
      WebSocketCloseCode.MessageTooBig,
      `message exceeds maxMessageBytes (${this.options.maxMessageBytes} bytes)`,
    );
  }

  /** Closes because of a failure this side detected; the peer is told (`abort`: dropped at once). */
  fail(code: number, reason: string, abort = false, cause?: unknown): void {
    if (this.inbox.closed) return;
    this.finish({ code, reason, error: new WebSocketClosedError(code, reason, { cause }) });
    if (abort) this.port.abort(code, reason);
    else this.port.close(code, reason);
  }

  /** The socket closed. A failure recorded earlier wins over what the socket reports. */
  socketClosed(code: number, reason: string): void {
    if (this.inbox.closed) return;
    const text = reason || describeCloseCode(code);
    this.finish(
      isOrderlyClose(code) ? { code, reason: text } : { code, reason: text, error: new WebSocketClosedError(code, text) },
    );
  }

  private finish(info: TransportCloseInfo): void {
    if (this.inbox.close(info)) this.options.onClosed?.();
  }
}
