import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { AbortedError, Client, Server, defineBinding, type Binding } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { listenWebSocket, webSocketTransportFactory } from '@scomp/transport-ws/node';

// A time limit no test waits out: a cancelled loop that ran on would hang the next eval (and time
// the test out) rather than end on a limit, so an answer proves the loop stopped.
const NO_LIMIT = { evalTimeoutMs: 600_000 };

/** A binding named `name` that runs `handler` and answers true. */
function signalling(name: string, handler: () => void) {
  return defineBinding({
    name,
    input: Type.Object({}),
    handler: () => {
      handler();
      return true;
    },
  });
}

/** A freshly started server (its runtime factory too, so the session is the first on its thread). */
async function freshStack(serverBindings: Binding[]) {
  const runtime = createQuickJsRuntimeFactory({ limits: NO_LIMIT });
  const server = new Server({ runtime, bindings: serverBindings });
  const listener = await listenWebSocket({ host: '127.0.0.1', port: 0, onConnection: (transport) => server.accept(transport) });
  const clients: Client[] = [];
  return {
    async connect(clientBindings: Binding[] = []): Promise<Client> {
      const client = await Client.connect(webSocketTransportFactory(listener.url), { bindings: clientBindings });
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.close();
      // The factory first: it stops a thread still looping, which the server's close would wait behind.
      await runtime.close();
      await server.close();
      await listener.close();
    },
  };
}

describe('cancelling an eval', () => {
  it.each(['server', 'client'] as const)('ends an eval cancelled while it awaits a %s binding, and the session answers next', async (side) => {
    const controller = new AbortController();
    const started = signalling('started', () => controller.abort());
    await using stack = await freshStack(side === 'server' ? [started] : []);
    const client = await stack.connect(side === 'client' ? [started] : []);
    await client.eval('var kept = 42');
    const error = await client.eval('globalThis.resumed = false; await started(); resumed = true; while (true) {}', { signal: controller.signal }).catch((e: unknown) => e);
    // The client ends an aborted eval at once; the server's answer (Cancelled) is not awaited.
    expect(error).toBeInstanceOf(AbortedError);
    // A client binding's handler sends the cancel before its answer, so the guest never resumes; a
    // server binding answers on the server's side at once, so the cancel may find the loop running.
    const [kept, resumed] = (await client.eval('[kept, resumed]')) as [number, boolean];
    expect(kept).toBe(42);
    if (side === 'client') expect(resumed).toBe(false);
  });

  it("ends a fresh server's first eval cancelled while it awaits a call that answers regardless", async () => {
    const controller = new AbortController();
    // The call learns of the cancel on the server (its signal) and answers anyway, as a handler
    // that ignores its signal does: the cancel has certainly arrived while the eval was parked.
    const probe = defineBinding({
      name: 'probe',
      input: Type.Object({}),
      handler: (_, context) => {
        controller.abort();
        return new Promise<boolean>((resolve) => context.signal.addEventListener('abort', () => resolve(true), { once: true }));
      },
    });
    await using stack = await freshStack([probe]);
    const client = await stack.connect();
    const error = await client.eval('globalThis.resumed = false; await probe(); resumed = true; while (true) {}', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(await client.eval('resumed')).toBe(false);
  });

  it("stops the loop of a fresh server's first eval when the cancel arrives while it runs", async () => {
    const controller = new AbortController();
    let probed = false;
    const probe = signalling('probe', () => (probed = true));
    await using stack = await freshStack([probe]);
    // console.log is a notification sent from inside the loop's eval: when the client sees it, the
    // loop holds the thread.
    const client = await stack.connect([signalling('console', () => controller.abort())]);
    await client.eval('var kept = 42');
    const error = await client.eval("await probe(); console.log('looping'); let n = 0; while (true) n++", { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(probed).toBe(true);
    expect(await client.eval('kept')).toBe(42);
  });
});
