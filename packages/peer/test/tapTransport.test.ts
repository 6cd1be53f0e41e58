import { describe, expect, it } from 'vitest';
import { tapTransport, type MessageDirection } from '../src/authoring.js';
import { ConnectionClosedError } from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import type { TransportCloseInfo } from '../src/transport.js';

describe('tapTransport', () => {
  it('reports each message in both directions, in order, and passes it on unchanged', async () => {
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    const seen: [MessageDirection, string][] = [];
    const tapped = tapTransport(clientEnd, { message: (direction, data) => seen.push([direction, data]) });
    const received: string[] = [];
    tapped.start({ message: (data) => received.push(data), close: () => {} });
    const atServer: string[] = [];
    serverEnd.start({ message: (data) => atServer.push(data), close: () => {} });

    tapped.send('{"a":1}');
    tapped.send('{"a":2}');
    await Promise.resolve();
    serverEnd.send('{"b":1}');
    await Promise.resolve();

    expect(atServer).toEqual(['{"a":1}', '{"a":2}']);
    expect(received).toEqual(['{"b":1}']);
    expect(seen).toEqual([
      ['out', '{"a":1}'],
      ['out', '{"a":2}'],
      ['in', '{"b":1}'],
    ]);
  });

  it('reports the close before its user hears of it, and forwards close, closed and ended', async () => {
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    const order: string[] = [];
    const tapped = tapTransport(clientEnd, {
      message: () => {},
      close: (info) => order.push(`tap ${info.reason}`),
    });
    tapped.start({ message: () => {}, close: (info) => order.push(`user ${info.reason}`) });
    serverEnd.start({ message: () => {}, close: () => {} });

    expect(tapped.closed).toBe(false);
    tapped.close({ code: 1000, reason: 'done' });
    expect(tapped.closed).toBe(true);
    expect(serverEnd.closed).toBe(false);
    const ended: TransportCloseInfo = await tapped.ended;
    expect(ended).toEqual({ code: 1000, reason: 'done' });
    expect(order).toEqual(['tap done', 'user done']);
    await serverEnd.ended;
    expect(serverEnd.closed).toBe(true);
  });

  it('does not report a send the closed transport refused', () => {
    const [clientEnd] = createMemoryTransportPair();
    const seen: string[] = [];
    const tapped = tapTransport(clientEnd, { message: (_, data) => seen.push(data) });
    tapped.close();
    expect(() => tapped.send('{}')).toThrow(ConnectionClosedError);
    expect(seen).toEqual([]);
  });
});
