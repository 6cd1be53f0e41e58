import type { CallContext, Runtime, RuntimeBinding, RuntimeLimits } from '@scomp/peer';
import { execFile } from 'node:child_process';
import { afterAll } from 'vitest';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactoryOptions } from '../src/index.js';

export function binding(name: string, handler: (args: any, context: CallContext) => unknown): RuntimeBinding {
  return { meta: { name, input: {} }, call: async (args, context) => handler(args, context) };
}

const shared = createQuickJsRuntimeFactory();
afterAll(() => shared.close());

/**
 * Runs `body` against a fresh session and always disposes it. Sessions run on worker threads
 * unless `factory` says otherwise; tests that drive time (fake timers, an injected clock) use
 * `runIn: 'main'`, since a worker keeps its own timers.
 */
export async function withSession(
  setup: { bindings?: RuntimeBinding[]; limits?: RuntimeLimits; factory?: QuickJsRuntimeFactoryOptions },
  body: (runtime: Runtime) => Promise<void>,
): Promise<void> {
  const factory = setup.factory ? createQuickJsRuntimeFactory(setup.factory) : shared;
  const runtime = await factory.create({ sessionId: 'sess_test', bindings: setup.bindings ?? [], ...(setup.limits ? { limits: setup.limits } : {}) });
  try {
    await body(runtime);
  } finally {
    await runtime.dispose();
    if (factory !== shared) await factory.close();
  }
}

/**
 * Runs an ES module script in a Node process of its own, where `PACKAGE` names this package's
 * build output, and reports how the process ended. Proves what a process does on its own, such
 * as exiting once nothing is pending; the bound only turns a hang into a failure.
 */
export function runScript(script: string): Promise<{ code: number | null; killed: boolean; stdout: string }> {
  const source = script.replaceAll('PACKAGE', JSON.stringify(new URL('../dist/index.js', import.meta.url).href));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', source], { timeout: 15_000 }, (_, stdout) =>
      resolve({ code: child.exitCode, killed: child.killed, stdout }),
    );
  });
}
