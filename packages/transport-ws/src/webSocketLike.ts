import { utf8ByteLength } from '@scomp/peer/authoring';

/** The part of the standard `WebSocket` the client uses: the browser's, Node's global, or `ws`. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: (event: unknown) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Codes a browser lets a script send; anything else goes out as 1000 with the reason kept. */
export function sendableCloseCode(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/** Close reasons are limited to 123 bytes on the wire. */
export function truncateReason(reason: string): string {
  if (reason.length <= 40) return reason;
  let end = Math.min(reason.length, 123);
  while (end > 0 && utf8ByteLength(reason.slice(0, end)) > 123) end--;
  return reason.slice(0, end);
}
