export {
  connectWebSocket,
  webSocketTransportFactory,
  type WebSocketClientOptions,
} from './webSocketClient.js';
export type { WebSocketConstructor, WebSocketLike } from './webSocketLike.js';
export { WebSocketCloseCode } from './closeCodes.js';
export { WebSocketClosedError, WebSocketConnectError } from './errors.js';
export { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
