/**
 * The WebSocket close codes the transports send or report. The scomp peer sends its own on top
 * (`CloseCode` from `@scomp/peer`: 1008 handshake failed, 4001 session taken over).
 */
export const WebSocketCloseCode = {
  /** Either side called `close()`. */
  Normal: 1000,
  /** The server is shutting down (`listener.close()`). */
  GoingAway: 1001,
  /** The peer broke the WebSocket protocol (a malformed frame, invalid UTF-8). */
  ProtocolError: 1002,
  /** A binary frame arrived; scomp messages are text. */
  UnsupportedData: 1003,
  /** The peer closed without a code. Reported, never sent. */
  NoStatus: 1005,
  /** The connection dropped without a closing handshake. Reported, never sent. */
  Abnormal: 1006,
  /** A message exceeded `maxMessageBytes`. */
  MessageTooBig: 1009,
  /** An unexpected failure in the transport. */
  InternalError: 1011,
  /** The peer did not answer a keepalive ping within `keepAlive.timeoutMs`. */
  KeepAliveTimeout: 4000,
  /** The peer stopped reading: more than `maxBufferedBytes` waited to be sent. */
  SendBufferFull: 4002,
} as const;

const descriptions: Record<number, string> = {
  1000: 'closed',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data: scomp messages are text',
  1005: 'closed without a status',
  1006: 'connection lost',
  1009: 'message too big',
  1011: 'internal error',
  1008: 'handshake failed',
  4000: 'keepalive timeout',
  4001: 'session taken over by another connection',
  4002: 'send buffer full: the peer is not reading',
};

/** A readable reason for a close that arrived without one. */
export function describeCloseCode(code: number): string {
  return descriptions[code] ?? `closed with code ${code}`;
}

/** Closes that are an orderly end rather than a failure. */
export function isOrderlyClose(code: number): boolean {
  return code === 1000 || code === 1001 || code === 1005;
}
