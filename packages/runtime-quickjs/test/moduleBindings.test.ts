import { AbortedError, Client, moduleBinding, Server, type Binding, type ClientOptions } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactoryOptions } from '../src/index.js';

const TOOLS = new URL('./fixtures/threadBindings.js', import.meta.url);
const NAMES = ['where', 'refuses', 'crashes', 'waits', 'relay', 'offers'] as const;

/** The fixture's bindings named by module, so guest calls of them may run on the guest's thread. */
function moduleTools(): Promise<Binding[]> {
  return Promise.all(NAMES.map((name) => moduleBinding(TOOLS, name)));
}

/** The same bindings as plain objects of this thread: every guest call of them comes here. */
async function mainTools(): Promise<Binding[]> {
  const namespace = (await import(TOOLS.href)) as Record<string, Binding>;
  return NAMES.map((name) => namespace[name]!);
}

function serverOf(bindings: Binding[], options: QuickJsRuntimeFactoryOptions = { workerThreads: 1 }): Server {
  return new Server({ runtime: () => createQuickJsRuntimeFactory(options), bindings });
}

function connect(server: Server, options: ClientOptions = {}): Promise<Client> {
  return Client.connect(() => {
    const [near, far] = createMemoryTransportPair();
    server.accept(far);
    return near;
  }, options);
}

/** A client binding answered by `handler`, with no schema to check. */
function clientBinding(name: string, handler: (args: any) => unknown): Binding {
  return { meta: { name, input: {} }, call: async (args) => handler(args) };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Guest code that calls each failing binding and reports what it caught. */
const FAILURES = `
  const caught = [];
  for (const call of [() => where({ n: 'one' }), () => where(), () => refuses({}), () => crashes({})]) {
    try {
      caught.push({ returned: await call() });
    } catch (error) {
      caught.push({ name: error.name, code: error.code, message: error.message, data: error.data, isError: error instanceof Error });
    }
  }
  caught`;

describe('bindings defined in a module', () => {
  it("run guest calls on the guest's worker thread, and client invokes on this one", async () => {
    await using server = serverOf(await moduleTools());
    const client = await connect(server);
    try {
      const inEval = (await client.eval('await where({ n: 1 })')) as { n: number; threadId: number };
      expect(inEval.n).toBe(2);
      expect(inEval.threadId).not.toBe(threadId);
      // Every guest call of this session runs on the same thread, the one its guest code runs on.
      expect(await client.eval('(await where({ n: 5 })).threadId')).toBe(inEval.threadId);
      expect(await client.invoke('where', { n: 1 })).toEqual({ n: 2, threadId });
    } finally {
      client.close();
    }
  });

  it("run on this thread with runIn: 'main'", async () => {
    await using server = serverOf(await moduleTools(), { runIn: 'main' });
    const client = await connect(server);
    try {
      expect(await client.eval('await where({ n: 1 })')).toEqual({ n: 2, threadId });
    } finally {
      client.close();
    }
  });

  it('fail in guest code exactly as the same bindings do on the main thread', async () => {
    await using local = serverOf(await moduleTools());
    await using main = serverOf(await mainTools());
    const localClient = await connect(local);
    const mainClient = await connect(main);
    try {
      const onWorker = (await localClient.eval(FAILURES)) as { name: string; code?: number; data?: unknown }[];
      expect(onWorker).toEqual(await mainClient.eval(FAILURES));
      expect(onWorker.map((caught) => caught.name)).toEqual(['InvalidParamsError', 'InvalidParamsError', 'UnauthorizedError', 'InternalError']);
      expect(onWorker[0]!.data).toMatchObject({ issues: [expect.objectContaining({ path: '/n' })] });
      expect(onWorker[2]!.data).toEqual({ reason: 'a test' });
    } finally {
      localClient.close();
      mainClient.close();
    }
  });

  it("answer a cancelled eval while the handler awaits, and abort the handler's signal", async () => {
    await using server = serverOf(await moduleTools());
    const started = deferred<{ threadId: number }>();
    const aborted = deferred<{ threadId: number; reason: string }>();
    const client = await connect(server, {
      bindings: [clientBinding('started', (args) => started.resolve(args)), clientBinding('aborted', (args) => aborted.resolve(args))],
    });
    try {
      const controller = new AbortController();
      const evaluated = client.eval('await waits({})', { signal: controller.signal });
      const { threadId: handlerThread } = await started.promise;
      expect(handlerThread).not.toBe(threadId);
      controller.abort();
      await expect(evaluated).rejects.toBeInstanceOf(AbortedError);
      expect(await aborted.promise).toEqual({ threadId: handlerThread, reason: expect.stringMatching(/cancel/i) });
      // The session goes on: the next eval is answered.
      expect(await client.eval('1 + 1')).toBe(2);
    } finally {
      client.close();
    }
  });

  it("call the client's bindings and the functions they are handed through this thread", async () => {
    await using server = serverOf(await moduleTools());
    const client = await connect(server, { bindings: [clientBinding('twice', (n: number) => n * 2)] });
    try {
      const relayed = (await client.eval('await relay({ fn: async (n) => n * 2 })')) as { fromFn: number; fromClient: number; threadId: number };
      expect(relayed).toMatchObject({ fromFn: 40, fromClient: 42 });
      expect(relayed.threadId).not.toBe(threadId);
    } finally {
      client.close();
    }
  });

  it('hand the client functions that take parsed arguments on the handler\'s thread', async () => {
    await using server = serverOf(await moduleTools());
    const client = await connect(server, {
      bindings: [clientBinding('callsBack', async ({ fn }: { fn: (n: number) => Promise<unknown> }) => fn(41))],
    });
    try {
      const answer = (await client.eval('await offers({})')) as { got: number; typeOf: string; threadId: number };
      expect(answer).toMatchObject({ got: 41, typeOf: 'number' });
      expect(answer.threadId).not.toBe(threadId);
    } finally {
      client.close();
    }
  });

  it("keep a gated binding behind the client's confirm on this thread, and a hidden one hidden", async () => {
    await using server = serverOf(await moduleTools());
    const asked: unknown[] = [];
    const client = await connect(server, {
      bindings: [clientBinding('confirm', (question) => asked.push(question) === 1)],
      serverBindings: { only: ['where', 'relay'], confirm: ['where'] },
    });
    try {
      expect(await client.eval('await where({ n: 1 })')).toEqual({ n: 2, threadId });
      expect(await client.eval('where({ n: 2 }).catch((error) => error.name)')).toBe('UnauthorizedError');
      expect(asked).toMatchObject([{ binding: 'where', args: { n: 1 } }, { binding: 'where', args: { n: 2 } }]);
      expect(await client.eval('[typeof refuses, typeof relay, typeof offers]')).toEqual(['undefined', 'function', 'undefined']);
    } finally {
      client.close();
    }
  });

  it('are imported by a thread started after a session used them, before any session there calls them', async () => {
    const imports = new BroadcastChannel('scomp-test-thread-bindings');
    const importedOn: number[] = [];
    let heard = () => {};
    imports.onmessage = (event) => {
      importedOn.push((event as MessageEvent<{ threadId: number }>).data.threadId);
      heard();
    };
    const importedBesides = async (known: readonly number[]): Promise<number> => {
      for (;;) {
        const other = importedOn.find((id) => !known.includes(id));
        if (other !== undefined) return other;
        await new Promise<void>((resolve) => (heard = resolve));
      }
    };
    try {
      await using server = serverOf(await moduleTools(), { workerThreads: 2 });
      const first = await connect(server);
      const firstThread = (await first.eval('(await where({ n: 1 })).threadId')) as number;
      // The spare thread started beside the first session's imports the module with no session on it yet.
      const spareThread = await importedBesides([threadId, firstThread]);
      const second = await connect(server);
      expect(await second.eval('(await where({ n: 1 })).threadId')).toBe(spareThread);
      first.close();
      second.close();
    } finally {
      imports.close();
    }
  });

  it("fail a session's evals with the module's name when the runtime's thread cannot import it", async () => {
    const mainOnly = await moduleBinding(new URL('./fixtures/mainOnlyBinding.js', import.meta.url), 'mainOnly');
    await using server = serverOf([mainOnly]);
    const client = await connect(server);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(client.eval('await mainOnly({})')).rejects.toThrow(/binding module file:.*mainOnlyBinding\.js could not be imported: this module loads on the main thread only/);
      }
      expect(await client.invoke('mainOnly', {})).toBe('ran');
    } finally {
      client.close();
    }
  });
});
