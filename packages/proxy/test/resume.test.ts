import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, Server, defineBinding, type Binding } from '@scomp/peer';
import { createFakeRuntimeFactory, createMemoryTransportPair } from '@scomp/peer/testing';
import { createComponent } from '../src/index.js';
import { LOG_BINDING_NAME, STANDARD_CLIENT_BINDINGS, type LogEntry } from '@scomp/protocol';
import { memoryChain, type ComponentSpec } from './support/memoryChain.js';
import { asOlderServer } from './support/oldServer.js';
import { settle } from './support/settle.js';

const answer = (name: string, value: string): Binding =>
  defineBinding({ name, input: Type.Object({}), handler: () => value });

function gatedServerBinding() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started!: () => void;
  const reached = new Promise<void>((resolve) => (started = resolve));
  return {
    open: () => open(),
    reached,
    binding: defineBinding({
      name: 'slow',
      input: Type.Object({}),
      handler: async () => {
        started();
        await gate;
        return 'slow done';
      },
    }),
  };
}

/**
 * Opens a session declaring `alpha`, drops it while a keyed eval waits on the server, resumes it
 * declaring `beta` instead, and reports what guest code sees and what the keyed eval returned.
 */
async function resumeWithOtherBindings(specs: readonly ComponentSpec[]) {
  const gated = gatedServerBinding();
  await using chain = memoryChain(specs, { bindings: [gated.binding] });
  const first = chain.dial();
  const client = await Client.connect(first, { bindings: [answer('alpha', 'a')] });
  const before = await client.eval('[typeof alpha, typeof beta, await alpha({})]');
  const pending = client.eval('slow({})', { key: 'kept-across-resume' }).catch((error: unknown) => (error as Error).name);
  await gated.reached;
  first.close({ reason: 'network lost' });
  expect(await pending).toBe('ConnectionClosedError');
  const resumed = await Client.connect(chain.dial(), { sessionId: client.sessionId, bindings: [answer('beta', 'b')] });
  gated.open();
  const kept = await resumed.eval('slow({})', { key: 'kept-across-resume' });
  const after = await resumed.eval('[typeof alpha, typeof beta, await beta({})]');
  resumed.close();
  await settle();
  return { before, kept, after, sessions: chain.server.stats().sessions };
}

describe('resuming through a chain with other client bindings', () => {
  it('gives guest code the new bindings, as the server alone does', async () => {
    const alone = await resumeWithOtherBindings([]);
    expect(alone).toEqual({
      before: ['function', 'undefined', 'a'],
      kept: 'slow done',
      after: ['undefined', 'function', 'b'],
      sessions: 1,
    });
    const reconnecting = (name: string): ComponentSpec => ({ name, downstreamReconnect: true });
    expect(await resumeWithOtherBindings([reconnecting('one'), reconnecting('two'), reconnecting('three')])).toEqual(alone);
  });

  it('re-declares the new bindings on a downstream that serves one connection, through every hop', async () => {
    const alone = await resumeWithOtherBindings([]);
    expect(await resumeWithOtherBindings([{ name: 'one' }, { name: 'two' }, { name: 'three' }])).toEqual(alone);
  });

  it('warns upstream when the downstream refuses the re-declare, and keeps the first list', async () => {
    await using server = new Server({ runtime: createFakeRuntimeFactory() });
    await using component = createComponent({
      name: 'single',
      downstream: () => {
        const [near, far] = createMemoryTransportPair();
        server.accept(far);
        // A server of a protocol without re-declares refuses any second handshake on a connection.
        return asOlderServer(near, (params, count) => {
          if (count > 1) params.sessionId = 'sess_not_this_one';
        });
      },
    });
    const chain = {
      dial() {
        const [near, far] = createMemoryTransportPair();
        component.accept(far);
        return near;
      },
    };
    const logs: LogEntry[] = [];
    const log = defineBinding({
      name: LOG_BINDING_NAME,
      input: Type.Unsafe<LogEntry>(STANDARD_CLIENT_BINDINGS.log.input),
      handler: (entry) => {
        logs.push(entry);
        return null;
      },
    });
    const first = chain.dial();
    const client = await Client.connect(first, { bindings: [log, answer('alpha', 'a')] });
    first.close({ reason: 'network lost' });
    const resumed = await Client.connect(chain.dial(), { sessionId: client.sessionId, bindings: [log, answer('beta', 'b')] });
    await expect.poll(() => logs.length).toBe(1);
    expect(logs[0]).toMatchObject({
      level: 'warn',
      message: 'single: the client bindings changed on resume, but the downstream refused them and keeps the first list',
      data: { bindings: ['log', 'beta'], error: { name: 'HandshakeFailedError', message: 'handshake already done on this connection' } },
    });
    // The downstream still declares alpha, which is no longer anyone's: calling it is BindingNotFound.
    await expect(resumed.eval('alpha({})')).rejects.toMatchObject({ data: { name: 'BindingNotFoundError', message: 'binding not found: alpha' } });
    resumed.close();
  });
});
