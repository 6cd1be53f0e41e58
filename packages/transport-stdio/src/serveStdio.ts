import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@scomp/peer';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
import { StreamTransport } from './streamTransport.js';

export interface ServeStdioOptions {
  /** Where messages come from. @default process.stdin */
  stdin?: Readable;
  /** Where messages go. Nothing else may write to it (log to stderr). @default process.stdout */
  stdout?: Writable;
  /** Largest message accepted; a larger one closes the transport with a `MessageTooLargeError`. @default 16 MiB */
  maxMessageBytes?: number;
  /** Unsent output held for a client that does not read before the transport closes. @default 64 MiB */
  maxBufferedBytes?: number;
}

/**
 * A transport over this process's own stdin/stdout, for a server launched by its client. It closes
 * when stdin ends (the client went away); the application then decides to exit. Closing it stops
 * reading stdin and ends stdout.
 */
export function serveStdio(options: ServeStdioOptions = {}): Transport {
  const input = options.stdin ?? process.stdin;
  const output = options.stdout ?? process.stdout;
  const transport: StreamTransport = new StreamTransport(input, output, {
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    onEnded: (_side, error) => transport.finish(error ? { reason: error.message, error } : { reason: 'stdin ended' }),
    onClosed: () => {
      // Paused with no listeners, stdin no longer keeps the process alive.
      input.pause();
      output.end();
    },
  });
  return transport;
}
