import { parseArgs } from 'node:util';
import { createComponent } from '@scomp/proxy';
import { chainDownstream, loadChain, serveComponent } from '@scomp/proxy/node';
import { ExitCode } from './cli.js';

export interface ChainIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `scomp chain <chain.json>`: serves a chain over WebSocket. Each session starts the chain's
 * first process over stdio (which starts the next, and so on) and ends it when the session ends;
 * the session itself outlives a dropped connection, so clients can resume it.
 */
export async function runChain(argv: readonly string[], io: ChainIo): Promise<number> {
  const fail = (message: string, code: number) => {
    io.stderr.write(`scomp chain: ${message}\n`);
    return code;
  };
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { port: { type: 'string' }, host: { type: 'string' }, 'max-message-bytes': { type: 'string' } },
    }));
  } catch (error) {
    return fail((error as Error).message, ExitCode.Usage);
  }
  if (positionals.length !== 1) return fail('give one <chain.json>', ExitCode.Usage);
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port: "${values.port}" is not a port number`, ExitCode.Usage);
  const maxMessageBytes = values['max-message-bytes'] === undefined ? undefined : Number(values['max-message-bytes']);
  if (maxMessageBytes !== undefined && (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1)) {
    return fail(`--max-message-bytes: "${values['max-message-bytes']}" is not a positive integer`, ExitCode.Usage);
  }
  let served;
  try {
    const chain = await loadChain(positionals[0]!);
    const component = createComponent({
      name: 'scomp-chain',
      downstream: chainDownstream(chain),
      // The head of the chain refuses what its server would, given the server's limit.
      ...(maxMessageBytes !== undefined ? { maxMessageBytes } : {}),
      onFault: (error) => io.stderr.write(`scomp chain: fault: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    served = await serveComponent(component, { port, host: values.host ?? '127.0.0.1' });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), ExitCode.Connect);
  }
  io.stdout.write(`scomp chain listening on ${served.url}\n`);
  const stop = () => void served.close();
  process.once('SIGINT', stop).once('SIGTERM', stop);
  await served.closed;
  process.off('SIGINT', stop).off('SIGTERM', stop);
  return ExitCode.Ok;
}
