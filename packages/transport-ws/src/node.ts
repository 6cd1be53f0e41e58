export {
  listenWebSocket,
  type ListenWebSocketOptions,
  type WebSocketListener,
  type ConnectionInfo,
  type UpgradeVerdict,
} from './node/listen.js';
export { connectWebSocket, webSocketTransportFactory, type NodeWebSocketClientOptions } from './node/connect.js';
export type { KeepAliveOptions } from './node/keepAlive.js';
export { WebSocketCloseCode } from './closeCodes.js';
export { WebSocketClosedError, WebSocketConnectError } from './errors.js';
export { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
