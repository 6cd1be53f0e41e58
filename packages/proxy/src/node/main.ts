import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Effect } from '@scomp/protocol';
import { parseOrReport, processIo, redirectConsoleToStderr, shutdownSignal, type CommandIo } from '@scomp/transport-stdio/cli';
import { createComponent } from '../component.js';
import { approval } from '../components/approval.js';
import { audit } from '../components/audit.js';
import type { ComponentDefinition } from '../components/definition.js';
import { scope } from '../components/scope.js';
import { loadChain } from './chainConfig.js';
import { PROXY_HELP, parseProxyArgs, type ProxyCliOptions } from './cli.js';
import { chainDownstream, webSocketDownstream } from './downstreams.js';
import { serveComponent } from './serve.js';

export type ProxyMainIo = CommandIo;

async function definitionFor(options: ProxyCliOptions): Promise<ComponentDefinition> {
  if (options.module !== undefined) {
    const loaded = (await import(pathToFileURL(resolve(options.module)).href)) as { default?: unknown };
    const value = typeof loaded.default === 'function' ? (loaded.default as () => unknown)() : loaded.default;
    if (typeof value !== 'object' || value === null || typeof (value as { name?: unknown }).name !== 'string') {
      throw new Error(`${options.module}: the default export must be a component definition ({ name, … }) or a function returning one`);
    }
    return value as ComponentDefinition;
  }
  switch (options.kind) {
    case 'audit': {
      const file = options.auditFile;
      return audit(file === undefined ? {} : { onEntry: (record) => appendFileSync(file, `${JSON.stringify(record)}\n`) });
    }
    case 'approval':
      return approval(options.effects ? { effects: options.effects as Effect[] } : {});
    case 'scope':
      return scope({
        ...(options.serverBindings ? { serverBindings: options.serverBindings } : {}),
        ...(options.clientBindings ? { clientBindings: options.clientBindings } : {}),
      });
    case 'transparent':
      return { name: 'transparent' };
  }
}

/**
 * Runs `scomp-proxy` until its upstream goes away or a signal arrives; resolves with the exit code:
 * 0 after a clean shutdown, 1 when it could not start, 2 for a bad command line.
 */
export async function proxyMain(argv: readonly string[], io: ProxyMainIo = processIo()): Promise<number> {
  const options = parseOrReport('scomp-proxy', () => parseProxyArgs(argv, io.env), io.stderr);
  if (!options) return 2;
  if (options === 'help') {
    io.stdout.write(PROXY_HELP);
    return 0;
  }
  const log = (line: string) => io.stderr.write(`scomp-proxy: ${line}\n`);
  // Over stdio, stdout carries the protocol: anything a --module component prints goes to stderr.
  if (options.port === undefined) redirectConsoleToStderr();
  let served;
  try {
    const definition = await definitionFor(options);
    const downstream =
      options.downstream.kind === 'url'
        ? webSocketDownstream(options.downstream.url)
        : chainDownstream(options.downstream.kind === 'chain' ? options.downstream.chain : await loadChain(options.downstream.path));
    const stdio = options.port === undefined;
    let stop: (() => Promise<void>) | undefined;
    const component = createComponent({
      ...definition,
      downstream,
      downstreamReconnect: options.downstream.kind === 'url',
      ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
      onFault: (error) => log(`fault: ${error instanceof Error ? error.message : String(error)}`),
      onDownstreamClosed: ({ reason }) => {
        log(`${definition.name}: downstream ended (${reason})`);
        // Over stdio this process serves one session: without its downstream it has nothing left
        // to do. The pending calls' errors are answered first (they settle in this turn's microtasks).
        if (stdio) setImmediate(() => void stop?.());
      },
    });
    served = await serveComponent(component, options.port === undefined ? {} : { port: options.port, host: options.host });
    stop = served.close;
  } catch (error) {
    log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  // Listening for signals before the listening line means none is missed once it is printed.
  const stop = shutdownSignal(log);
  if (served.url !== undefined) io.stdout.write(`scomp-proxy listening on ${served.url}\n`);
  await Promise.race([served.closed, stop.then(() => served.close())]);
  return 0;
}
