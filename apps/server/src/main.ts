import { parseOrReport, processIo, redirectConsoleToStderr, shutdownSignal, type CommandIo } from '@scomp/transport-stdio/cli';
import { followBindings, loadServerBindings, type ServerBindings } from '@scomp/mcp';
import { SERVER_HELP, parseServerArgs, type ServerCliOptions } from './cli.js';
import { serveStdioSession, startServer, type ServeOptions } from './serve.js';

export type MainIo = CommandIo;

/**
 * Runs `scomp-server` with the given arguments until it shuts down; resolves with the exit code:
 * 0 after a clean shutdown, 1 when the server could not start, 2 for a bad command line.
 */
export async function main(argv: readonly string[], io: MainIo = processIo()): Promise<number> {
  const log = (line: string) => io.stderr.write(`scomp-server: ${line}\n`);
  const command = parseOrReport('scomp-server', () => parseServerArgs(argv, io.env), io.stderr);
  if (!command) return 2;
  if (command.kind === 'help') {
    io.stdout.write(SERVER_HELP);
    return 0;
  }
  const options = command.options;
  // Over stdio, stdout carries the protocol: anything a bindings module prints goes to stderr.
  if (options.transport === 'stdio') redirectConsoleToStderr();
  let serveOptions: ServeOptions;
  let served: ServerBindings;
  try {
    served = await loadServerBindings({
      log,
      ...(options.bindingsModule !== undefined ? { bindingsModule: options.bindingsModule } : {}),
      ...(options.threadBindingsModule !== undefined ? { threadBindingsModule: options.threadBindingsModule } : {}),
      ...(options.mcpConfig !== undefined ? { mcpConfig: options.mcpConfig } : {}),
    });
    serveOptions = { ...serveOptionsFrom(options, log), bindings: served.bindings };
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    return 1;
  }
  // Listening for signals before the server is ready means none is missed once it says it is.
  const stop = shutdownSignal(log);
  try {
    return options.transport === 'stdio'
      ? await runStdio(serveOptions, stop)
      : await runWebSocket(options, serveOptions, stop, io, log, served);
  } catch (error) {
    log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await served.close();
  }
}

function serveOptionsFrom(options: ServerCliOptions, log: (line: string) => void): ServeOptions {
  const serveOptions: ServeOptions = {
    evalTimeoutMs: options.evalTimeoutMs,
    memoryBytes: options.memoryMb * 1024 * 1024,
    sessionIdleTimeoutMs: options.sessionIdleMs,
    maxMessageBytes: options.maxMessageBytes,
    maxSessionsPerPrincipal: options.maxSessionsPerPrincipal,
    maxMemoryBytesPerPrincipal: options.maxPrincipalMemoryMb * 1024 * 1024,
    maxPendingInvokes: options.maxPendingInvokes,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    onFault: (error) => log(`fault: ${describeFault(error)}`),
  };
  if (options.token !== undefined) serveOptions.token = options.token;
  if (options.workerThreads !== undefined) serveOptions.workerThreads = options.workerThreads;
  if (options.maxHandshakeBytes !== undefined) serveOptions.maxHandshakeBytes = options.maxHandshakeBytes;
  return serveOptions;
}

async function runWebSocket(
  options: ServerCliOptions,
  serveOptions: ServeOptions,
  stop: Promise<void>,
  io: MainIo,
  log: (line: string) => void,
  served: ServerBindings,
): Promise<number> {
  const running = await startServer({ ...serveOptions, host: options.host, port: options.port, playground: options.playground === true });
  followBindings(served, running.server, log);
  // Before the listening line, so a script that waits for that line has both.
  if (running.playgroundUrl) io.stdout.write(`scomp playground at ${running.playgroundUrl}\n`);
  io.stdout.write(`scomp server listening on ${running.url}\n`);
  await stop;
  await running.close();
  log('stopped');
  return 0;
}

async function runStdio(serveOptions: ServeOptions, stop: Promise<void>): Promise<number> {
  const session = serveStdioSession(serveOptions);
  await Promise.race([session.closed, stop.then(() => session.close())]);
  return 0;
}

function describeFault(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.stack ?? error.cause.message})` : '';
  return `${error.message}${cause}`;
}
