import assert from 'node:assert/strict';
import { demoBindings } from '@scomp/app-server';
import { startLocalServer } from '../shared/localServer.js';
import { runWhenMain, type Log } from '../shared/runMain.js';
import { runAgent, type Message, type Model } from './agent.js';

/**
 * Stands in for an LLM: each step checks what the model would be shown and returns its reply.
 * Swap in a real model by writing a `Model` that sends `messages` to it.
 */
function scriptedModel(steps: Array<(last: Message, messages: readonly Message[]) => string>): Model {
  let turn = 0;
  return async (messages) => {
    const step = steps[turn++];
    assert.ok(step, 'the model was asked more often than scripted');
    return step(messages.at(-1)!, messages);
  };
}

const model = scriptedModel([
  (_, [system]) => {
    // The prompt carries the bindings as TypeScript the model can code against.
    assert.match(system!.content, /declare function listOrders\(args\?: \{\n\s+status\?: OrderStatus;/);
    assert.match(system!.content, /type OrderStatus = "pending" \| "paid"/);
    return "Let me look at the open orders.\n```js\nawait listOrders({ status: 'open' })\n```";
  },
  (last) => {
    // A wrong guess comes back as an error the model can read and correct.
    assert.match(last.content, /^Error: InvalidParamsError: invalid /);
    return [
      'There is no "open" status; I will rank all orders that were not cancelled.',
      '```js',
      'const orders = await listOrders({});',
      "const top = orders.filter((o) => o.status !== 'cancelled').sort((a, b) => b.total - a.total)[0];",
      '({ customer: top.customer, total: top.total, currency: top.currency })',
      '```',
    ].join('\n');
  },
  (last) => {
    assert.equal(last.content, 'Result: {"customer":"Alan Turing","total":289.99,"currency":"EUR"}');
    return 'Alan Turing placed the largest order: 289.99 EUR.';
  },
]);

export async function run(log: Log = () => {}) {
  await using server = await startLocalServer(demoBindings());
  await using client = await server.connect();
  const { answer, messages } = await runAgent({ client, model, task: 'Who placed the largest order, and for how much?' });
  for (const message of messages.slice(1)) log(`--- ${message.role}\n${message.content}`);
  assert.equal(answer, 'Alan Turing placed the largest order: 289.99 EUR.');
  assert.equal(messages.length, 7);
  return { answer };
}

runWhenMain(import.meta.url, run);
