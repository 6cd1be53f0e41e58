/**
 * Close codes the peer passes to `Transport.close`. They follow WebSocket's numbering (spec §2),
 * so a WebSocket transport can send them as they are; other transports may ignore them.
 */
export const CloseCode = {
  Normal: 1000,
  ShuttingDown: 1001,
  HandshakeFailed: 1008,
  MessageTooBig: 1009,
  SessionTakenOver: 4001,
} as const;
