import { connectWebSocket } from '@scomp/transport-ws/node';
import { hostileHandshake } from './hostileHandshake.js';

/**
 * Sends hostile handshakes to a server from its own process, so the sender's work does not count
 * against the server's neighbours: `handshakeFlood.ts URL PARALLEL MAX_BYTES`. Prints `refused` for
 * each handshake the server answered or closed, until killed.
 */
const [url, parallel, maxBytes] = process.argv.slice(2);
const text = hostileHandshake(Number(maxBytes));
process.stdout.write('ready\n');
await Promise.all(
  Array.from({ length: Number(parallel) }, async () => {
    for (;;) {
      const transport = await connectWebSocket(url!, { keepAlive: false, maxMessageBytes: Number(maxBytes) });
      await new Promise<void>((resolve) => {
        transport.start({ message: () => transport.close({ code: 1000 }), close: () => resolve() });
        transport.send(text);
      });
      process.stdout.write('refused\n');
    }
  }),
);
