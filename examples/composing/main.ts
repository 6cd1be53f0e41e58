import assert from 'node:assert/strict';
import Type from 'typebox';
import { defineBinding } from '@scomp/peer';
import { startLocalServer } from '../shared/localServer.js';
import { runWhenMain, type Log } from '../shared/runMain.js';

const Order = Type.Object({ id: Type.String(), total: Type.Number(), country: Type.String() });

const orders = [
  { id: 'o_001', total: 142.5, country: 'FR' },
  { id: 'o_002', total: 19.9, country: 'DE' },
  { id: 'o_003', total: 2400, country: 'FR' },
  { id: 'o_004', total: 75, country: 'US' },
];

export async function run(log: Log = () => {}) {
  const calls: string[] = [];
  let busyAnswers = 2;

  const listOrders = defineBinding({
    name: 'listOrders',
    description: 'Orders in a given status.',
    input: Type.Object({ status: Type.Union([Type.Literal('pending'), Type.Literal('paid')]) }),
    output: Type.Array(Order),
    effects: ['read'],
    handler: () => (calls.push('listOrders'), orders),
  });
  const charge = defineBinding({
    name: 'payments.charge',
    description: 'Charges an order. The card network is sometimes busy: retry.',
    input: Type.Object({ orderId: Type.String(), amount: Type.Number() }),
    output: Type.Object({ receipt: Type.String() }),
    effects: ['write', 'external'],
    handler: ({ orderId }) => {
      calls.push(`charge ${orderId}`);
      if (orderId === 'o_001' && busyAnswers-- > 0) throw new Error('card network busy');
      return { receipt: `r_${orderId}` };
    },
  });
  const flagForReview = defineBinding({
    name: 'flagForReview',
    description: 'Holds an order for a person to look at.',
    input: Type.Object({ orderId: Type.String(), reason: Type.String() }),
    effects: ['write'],
    handler: ({ orderId }) => (calls.push(`review ${orderId}`), true),
  });

  await using server = await startLocalServer([listOrders, charge, flagForReview]);
  await using client = await server.connect();

  // What a model might write: list, branch on each order, retry a flaky call. One round trip.
  const code = `
    const report = { charged: [], review: [], attempts: 0 };
    for (const order of await listOrders({ status: 'pending' })) {
      if (order.total > 1000 || order.country === 'US') {
        await flagForReview({ orderId: order.id, reason: order.total > 1000 ? 'large' : 'export' });
        report.review.push(order.id);
        continue;
      }
      for (let attempt = 1; ; attempt++) {
        report.attempts++;
        try {
          const { receipt } = await payments.charge({ orderId: order.id, amount: order.total });
          report.charged.push(receipt);
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
    }
    report
  `;
  const report = await client.eval(code);
  log(`one eval, ${calls.length} binding calls: ${calls.join(', ')}`);
  log(`report: ${JSON.stringify(report)}`);

  assert.deepEqual(report, { charged: ['r_o_001', 'r_o_002'], review: ['o_003', 'o_004'], attempts: 4 });
  assert.deepEqual(calls, ['listOrders', 'charge o_001', 'charge o_001', 'charge o_001', 'charge o_002', 'review o_003', 'review o_004']);
  return report;
}

runWhenMain(import.meta.url, run);
