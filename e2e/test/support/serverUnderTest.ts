import Type from 'typebox';
import { Client, defineBinding } from '@scomp/peer';
import { PROTOCOL_VERSION } from '@scomp/protocol';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { rawWire } from './rawWire.js';
import { child, serverBin, tsNodeArgs } from './processes.js';

/** A `scomp-server` process over WebSocket with the given flags, killed by its disposer. */
export async function serverProcess(...flags: string[]) {
  const process_ = child(tsNodeArgs(serverBin, '--port', '0', ...flags));
  try {
    const [, url] = await process_.line(/listening on (ws:\/\/\S+)/);
    return Object.assign(process_, { url: url! });
  } catch (error) {
    await process_[Symbol.asyncDispose]();
    throw error;
  }
}

/** A `scomp-server --stdio` process driven by hand through its stdin/stdout; closed by its disposer. */
export async function stdioWire(...flags: string[]) {
  const transport = await spawnStdioTransport({
    command: process.execPath,
    args: tsNodeArgs(serverBin, '--stdio', ...flags),
    stderr: 'pipe',
    cwd: new URL('../..', import.meta.url).pathname,
  });
  // Fault logs are not what these tests read; an unread pipe would eventually block the server.
  transport.stderr?.resume();
  return Object.assign(rawWire(transport), {
    async [Symbol.asyncDispose]() {
      transport.close({ code: 1000, reason: 'test done' });
      await transport.exited;
    },
  });
}

/** A raw WebSocket connection to `url`, closed by its disposer. */
export async function wsWire(url: string) {
  const wire = rawWire(await connectWebSocket(url, { keepAlive: false }));
  return Object.assign(wire, {
    async [Symbol.asyncDispose]() {
      wire.close();
    },
  });
}

/**
 * A well-behaved session beside the hostile ones: it keeps state, and `check` proves the server is
 * up, the state was kept and the session is answered.
 */
export async function neighbour(url: string) {
  const lines: unknown[] = [];
  const waiting: (() => void)[] = [];
  const console_ = defineBinding({
    name: 'console',
    input: Type.Unknown(),
    handler: (args: unknown) => {
      lines.push(args);
      for (const resolve of waiting.splice(0)) resolve();
    },
  });
  const client = await Client.connect(() => connectWebSocket(url, { keepAlive: false }), { bindings: [console_] });
  await client.eval('globalThis.kept = 41');
  return {
    client,
    lines,
    /** Resolves once the session has written at least one console line. */
    firstLine(): Promise<void> {
      return lines.length > 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
    },
    async check(): Promise<void> {
      const answer = await client.eval('kept + 1');
      if (answer !== 42) throw new Error(`the neighbour lost its state: kept + 1 gave ${JSON.stringify(answer)}`);
    },
    [Symbol.dispose]() {
      client.close();
    },
  };
}

/** A handshake's params for raw wires. */
export function handshake(bindings: { name: string; input: object }[] = [], extra: Record<string, unknown> = {}) {
  return { protocol: PROTOCOL_VERSION, bindings, ...extra };
}
