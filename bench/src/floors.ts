/**
 * The floors that bound the runtime's goals on this machine: what crossing between two threads
 * costs at the least (a `postMessage` round trip, an `Atomics` wake round trip), and what one
 * QuickJS async host call costs without scomp around it.
 */
import releaseVariant from '@jitl/quickjs-wasmfile-release-sync';
import { Worker } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, type QuickJSHandle, type QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { Config } from './config.js';
import type { Result } from './report.js';
import { repeated } from './stats.js';

/**
 * A binding call's request as it crosses to the supervising thread (one string, see the runtime's
 * worker/compactMessages.ts), so cloning costs alike.
 */
const message = (i: number) => `B${i}\n1\ns\n1\necho\n{"n":${i}}`;

// The echo end runs as an inline worker: the floor includes no scomp code at all.
const ECHO_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const words = new Int32Array(workerData);
parentPort.on('message', (m) => {
  if (m === 'spin') {
    // [0] ping counter, [1] pong counter; a negative ping ends the loop.
    let seen = 0;
    for (;;) {
      Atomics.wait(words, 0, seen);
      const v = Atomics.load(words, 0);
      if (v < 0) break;
      seen = v;
      Atomics.store(words, 1, v);
      Atomics.notify(words, 1);
    }
    parentPort.postMessage('spun');
  } else parentPort.postMessage(m);
});`;

/** `Atomics.waitAsync` (Node 16+), which the ES2022 library this repository compiles against does not declare. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

export interface ThreadFloors {
  /** Microseconds per `postMessage` round trip to a thread waiting in its event loop. */
  postMessage(n: number): Promise<number>;
  /** Microseconds per wake round trip: this thread blocks in `Atomics.wait`, the other in its own. */
  atomicsWait(n: number): Promise<number>;
  /** The same, but this thread waits with `Atomics.waitAsync` (its event loop stays free). */
  atomicsWaitAsync(n: number): Promise<number>;
  close(): Promise<void>;
}

export async function threadFloors(): Promise<ThreadFloors> {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(ECHO_WORKER, { eval: true, workerData: words.buffer });
  const reply = () => new Promise<unknown>((resolve) => worker.once('message', resolve));
  const spin = async (n: number, wake: (i: number) => Promise<void> | void): Promise<number> => {
    Atomics.store(words, 0, 0);
    Atomics.store(words, 1, 0);
    const done = reply();
    worker.postMessage('spin');
    const start = process.hrtime.bigint();
    for (let i = 1; i <= n; i++) {
      Atomics.store(words, 0, i);
      Atomics.notify(words, 0);
      await wake(i);
    }
    const elapsed = Number(process.hrtime.bigint() - start);
    Atomics.store(words, 0, -1);
    Atomics.notify(words, 0);
    await done;
    return elapsed / 1000 / n;
  };
  return {
    postMessage: async (n) => {
      // One listener for the whole run, as a channel has, rather than one per message.
      let answer: () => void = () => {};
      const onMessage = () => answer();
      worker.on('message', onMessage);
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const answered = new Promise<void>((resolve) => (answer = resolve));
        worker.postMessage(message(i));
        await answered;
      }
      const elapsed = Number(process.hrtime.bigint() - start);
      worker.off('message', onMessage);
      return elapsed / 1000 / n;
    },
    atomicsWait: (n) =>
      spin(n, (i) => {
        while (Atomics.load(words, 1) !== i) Atomics.wait(words, 1, i - 1);
      }),
    atomicsWaitAsync: (n) =>
      spin(n, async (i) => {
        while (Atomics.load(words, 1) !== i) {
          const waited = waitAsync(words, 1, i - 1);
          if (waited.async) await waited.value;
        }
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}

/**
 * quickjs-emscripten with one async host function `f(args)` that converts its argument to a host
 * value, answers on a host microtask with a new guest object, and runs the guest's jobs.
 * `perCall(n)`: microseconds per call of `for (…) await f({ n: i })`, less the same loop without calls.
 */
export async function bareQuickJs(): Promise<{ perCall(n: number): Promise<number>; dispose(): void }> {
  const module = await newQuickJSWASMModuleFromVariant(releaseVariant as unknown as QuickJSSyncVariant);
  const runtime = module.newRuntime();
  const context = runtime.newContext();
  const f = context.newFunction('f', (arg) => {
    const args = context.dump(arg) as { n: number };
    const deferred = context.newPromise();
    void Promise.resolve().then(() => {
      const value = context.newObject();
      const n = context.newNumber(args.n);
      context.setProp(value, 'n', n);
      n.dispose();
      deferred.resolve(value);
      value.dispose();
      deferred.dispose();
      runtime.executePendingJobs();
    });
    return deferred.handle;
  });
  context.setProp(context.global, 'f', f);
  f.dispose();
  const run = async (count: number): Promise<number> => {
    const start = process.hrtime.bigint();
    const promise: QuickJSHandle = context.unwrapResult(
      context.evalCode(`(async () => { for (let i = 0; i < ${count}; i++) await f({ n: i }); return 0; })()`),
    );
    const settling = context.resolvePromise(promise);
    runtime.executePendingJobs();
    const settled = await settling;
    promise.dispose();
    context.unwrapResult(settled).dispose();
    return Number(process.hrtime.bigint() - start);
  };
  return {
    perCall: async (n) => Math.max(0, (await run(n)) - (await run(0))) / 1000 / n,
    dispose: () => {
      context.dispose();
      runtime.dispose();
    },
  };
}

export async function floorBenchmarks(config: Config): Promise<Result[]> {
  const floors = await threadFloors();
  const bare = await bareQuickJs();
  const n = config.roundTrips;
  try {
    const row = (id: string, title: string, name: string, summary: Result['subject']['summary'], perRun = n): Result => ({
      id,
      group: 'floors',
      title,
      subject: { name, unit: 'us/op', summary, perRun },
    });
    return [
      row('floor.post-message', 'floor: postMessage round trip between two threads', 'postMessage', await repeated(() => floors.postMessage(n), config.counts)),
      row('floor.atomics-wait', 'floor: Atomics.wait/notify wake round trip between two threads', 'Atomics.wait', await repeated(() => floors.atomicsWait(n), config.counts)),
      row(
        'floor.atomics-wait-async',
        'floor: the same wake, this thread waiting with Atomics.waitAsync',
        'Atomics.waitAsync',
        await repeated(() => floors.atomicsWaitAsync(n), config.counts),
      ),
      row(
        'floor.bare-host-call',
        'floor: bare quickjs-emscripten async host call',
        'host call',
        await repeated(() => bare.perCall(config.callsPerEval), config.counts),
        config.callsPerEval,
      ),
    ];
  } finally {
    bare.dispose();
    await floors.close();
  }
}
