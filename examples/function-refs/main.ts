import assert from 'node:assert/strict';
import Type from 'typebox';
import { Fn, defineBinding, type HostFunction } from '@scomp/peer';
import { startLocalServer } from '../shared/localServer.js';
import { runWhenMain, type Log } from '../shared/runMain.js';

const Order = Type.Object({ id: Type.String(), total: Type.Number() });
const orders = [
  { id: 'o_001', total: 142.5 },
  { id: 'o_002', total: 19.9 },
  { id: 'o_003', total: 64 },
];

export async function run(log: Log = () => {}) {
  // 1. A server binding that takes a callback: the caller decides which orders to keep.
  const findOrders = defineBinding({
    name: 'findOrders',
    input: Type.Object({ where: Fn(Order, Type.Boolean(), { description: 'Return true to keep the order.' }) }),
    output: Type.Array(Order),
    effects: ['read'],
    handler: async ({ where }) => {
      const kept = [];
      for (const order of orders) if ((await where(order)) === true) kept.push(order);
      return kept;
    },
  });

  // 2. A client binding that returns functions: a small ledger the runtime writes to.
  const ledger: string[] = [];
  const openLedger = defineBinding({
    name: 'openLedger',
    input: Type.Object({ name: Type.String() }),
    output: Type.Object({ append: Fn(Type.String(), Type.Integer()) }),
    handler: ({ name }) => ({
      append: async (line: string) => ledger.push(`${name}: ${line}`),
    }),
  });

  await using server = await startLocalServer([findOrders]);
  await using client = await server.connect({ bindings: [openLedger] });

  // Client → server: a local async function crosses the wire as a function reference.
  const large = await client.invoke('findOrders', { where: async (order: { total: number }) => order.total > 50 });
  log(`client callback kept: ${JSON.stringify(large)}`);
  assert.deepEqual(large, [orders[0], orders[2]]);

  // Runtime → server: a function written in the runtime is passed to the same binding.
  const small = await client.eval(`(await findOrders({ where: (o) => o.total < 50 })).map((o) => o.id)`);
  log(`runtime callback kept: ${JSON.stringify(small)}`);
  assert.deepEqual(small, ['o_002']);

  // Client → runtime: a function returned by a client binding, called from the runtime.
  const lines = await client.eval(`
    const refunds = await openLedger({ name: 'refunds' });
    await refunds.append('o_002 refunded');
    await refunds.append('o_003 refunded')
  `);
  log(`ledger: ${JSON.stringify(ledger)}`);
  assert.equal(lines, 2);
  assert.deepEqual(ledger, ['refunds: o_002 refunded', 'refunds: o_003 refunded']);

  // Runtime → client: an eval's value may be a function; the client calls it until it disposes it.
  const orderTotal = (await client.eval(`async ({ id }) => (await findOrders({ where: (o) => o.id === id }))[0]?.total`)) as HostFunction;
  const total = await orderTotal({ id: 'o_001' });
  log(`function returned by eval: orderTotal({ id: 'o_001' }) = ${String(total)}`);
  assert.equal(total, 142.5);
  orderTotal[Symbol.dispose]?.();
  return { large, small, ledger, total };
}

runWhenMain(import.meta.url, run);
