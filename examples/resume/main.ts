import assert from 'node:assert/strict';
import Type from 'typebox';
import { Client, defineBinding, type ClientState, type Transport } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { startLocalServer } from '../shared/localServer.js';
import { runWhenMain, type Log } from '../shared/runMain.js';

const getOrder = defineBinding({
  name: 'getOrder',
  input: Type.Object({ id: Type.String() }),
  output: Type.Object({ id: Type.String(), total: Type.Number() }),
  effects: ['read'],
  handler: ({ id }) => ({ id, total: 142.5 }),
});

export async function run(log: Log = () => {}) {
  await using server = await startLocalServer([getOrder]);

  // Keep each connection's transport so the example can cut it.
  let transport: Transport | undefined;
  const states: ClientState[] = [];
  let onConnected = () => {};
  await using client = await Client.connect(async () => (transport = await connectWebSocket(server.url)), {
    reconnect: { initialDelayMs: 10 },
    onStateChange: (state) => {
      states.push(state);
      if (state === 'connected') onConnected();
    },
  });
  const sessionId = client.sessionId;
  await client.eval(`const o = await getOrder({ id: 'o_001' })`);
  log(`session ${sessionId}: o.total = ${String(await client.eval('o.total'))}`);

  // Drop the connection. The client reconnects on its own and resumes the session by id.
  const reconnected = new Promise<void>((resolve) => (onConnected = resolve));
  transport!.close({ code: 4000, reason: 'simulated network drop' });
  await reconnected;
  log(`states: ${states.join(' → ')}`);

  // Same session, same runtime: `o` is still there.
  const id = await client.eval('o.id');
  log(`after the drop, same session ${client.sessionId}: o.id = ${JSON.stringify(id)}`);
  assert.equal(client.sessionId, sessionId);
  assert.equal(id, 'o_001');
  assert.deepEqual(states, ['reconnecting', 'resumed', 'connected']);

  // A client can also resume explicitly, e.g. after a restart of the harness process.
  client.close();
  await using later = await server.connect({ sessionId });
  assert.equal(await later.eval('o.total'), 142.5);
  log(`a new client with sessionId resumed it: o.total = ${String(await later.eval('o.total'))}`);
  return { sessionId, states };
}

runWhenMain(import.meta.url, run);
