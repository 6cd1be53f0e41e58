/** Why a WebSocket transport closed when it was not an orderly close: the close code and reason. */
export class WebSocketClosedError extends Error {
  override name = 'WebSocketClosedError';
  readonly closeCode: number;
  constructor(closeCode: number, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.closeCode = closeCode;
  }
}

/** The connection could not be opened. `status` is the HTTP status when the server refused the upgrade. */
export class WebSocketConnectError extends Error {
  override name = 'WebSocketConnectError';
  readonly status: number | undefined;
  constructor(message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options);
    this.status = options?.status;
  }
}
