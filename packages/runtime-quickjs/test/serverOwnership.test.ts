import { CancelledError, Client, Server } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import { describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactory } from '../src/index.js';
import { runScript } from './support.js';

async function evalThrough(server: Server, code: string): Promise<unknown> {
  const client = await Client.connect(() => {
    const [near, far] = createMemoryTransportPair();
    server.accept(far);
    return near;
  });
  try {
    return await client.eval(code);
  } finally {
    client.close();
  }
}

describe('a Server and its QuickJS factory', () => {
  it('stops the worker threads of a factory the server created when it closes', async () => {
    let factory: QuickJsRuntimeFactory | undefined;
    const server = new Server({ runtime: () => (factory = createQuickJsRuntimeFactory({ workerThreads: 1 })) });
    expect(await evalThrough(server, '6 * 7')).toBe(42);
    expect(factory!.stats().workers).toBe(1);
    await server.close();
    expect(factory!.stats().workers).toBe(0);
    await expect(factory!.create({ sessionId: 'late', bindings: [] })).rejects.toBeInstanceOf(CancelledError);
  });

  it('leaves a factory passed in running for its owner', async () => {
    const factory = createQuickJsRuntimeFactory({ workerThreads: 1 });
    try {
      {
        await using server = new Server({ runtime: factory });
        expect(await evalThrough(server, '1 + 1')).toBe(2);
      }
      const runtime = await factory.create({ sessionId: 'after', bindings: [] });
      expect(await runtime.eval('"still running"')).toBe('still running');
      await runtime.dispose();
    } finally {
      await factory.close();
    }
  });

  it('lets the process exit on its own once the server that owns the factory has closed', async () => {
    const script = `
      import { Client, Server } from '@scomp/peer';
      import { createMemoryTransportPair } from '@scomp/peer/testing';
      import { createQuickJsRuntimeFactory } from PACKAGE;
      const server = new Server({ runtime: () => createQuickJsRuntimeFactory({ workerThreads: 2 }) });
      const client = await Client.connect(() => {
        const [near, far] = createMemoryTransportPair();
        server.accept(far);
        return near;
      });
      const value = await client.eval('"done"');
      client.close();
      await server.close();
      console.log(JSON.stringify(value));
    `;
    expect(await runScript(script)).toEqual({ code: 0, killed: false, stdout: '"done"\n' });
  });
});
