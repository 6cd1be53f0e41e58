import { WebSocket } from 'ws';

// Cap'n Web reads the global WebSocket's constants, which Node 20 lacks; `ws` has the same ones.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
