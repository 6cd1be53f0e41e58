import { parseOrReport, processIo, redirectConsoleToStderr, shutdownSignal, type CommandIo } from '@scomp/transport-stdio/cli';
import { serveStdio } from '@scomp/transport-stdio';
import { MCP_HELP, parseMcpArgs, type McpCliOptions } from './cli.js';
import { inProcessBackend, remoteBackend, type ScompBackend } from './codeMode/backend.js';
import { CodeModeSession, type CodeModeOptions } from './codeMode/codeModeSession.js';
import { serveCodeModeHttp } from './codeMode/httpServer.js';
import { toMcpTransport } from './mcpTransport.js';
import { followBindings, loadServerBindings, type ServerBindings } from './serverBindings.js';

export type McpMainIo = CommandIo;

/** Runs `scomp-mcp` until it shuts down; resolves with the exit code (0 clean, 1 failed to start, 2 usage). */
export async function main(argv: readonly string[], io: McpMainIo = processIo()): Promise<number> {
  const log = (line: string) => io.stderr.write(`scomp-mcp: ${line}\n`);
  const command = parseOrReport('scomp-mcp', () => parseMcpArgs(argv, io.env), io.stderr);
  if (!command) return 2;
  if (command.kind === 'help') {
    io.stdout.write(MCP_HELP);
    return 0;
  }
  const options = command.options;
  // Over stdio, stdout carries MCP: anything a bindings module prints goes to stderr.
  if (options.transport === 'stdio') redirectConsoleToStderr();
  let backend: ScompBackend;
  let served: ServerBindings | undefined;
  try {
    ({ backend, served } = await backendFrom(options, log));
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const stop = shutdownSignal(log);
  const codeMode: CodeModeOptions = {
    backend,
    maxOutputChars: options.maxOutputChars,
    describeThresholdChars: options.describeThresholdChars,
  };
  try {
    if (options.transport === 'http') {
      const server = await serveCodeModeHttp({
        ...codeMode,
        host: options.host,
        port: options.port,
        sessionIdleMs: options.sessionIdleMs,
        allowedHosts: options.allowedHosts,
        allowedOrigins: options.allowedOrigins,
        onSessionClosed: (id, reason) => reason === 'expired' && log(`session ${id} expired`),
      });
      io.stdout.write(`scomp-mcp listening on ${server.url}\n`);
      await stop;
      await server.close();
    } else {
      const session = new CodeModeSession(codeMode);
      const closed = new Promise<void>((resolve) => (session.mcp.onclose = resolve));
      await session.mcp.connect(toMcpTransport(serveStdio()));
      await Promise.race([closed, stop]);
      await session.close();
    }
    return 0;
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await backend.close();
    await served?.close();
  }
}

async function backendFrom(options: McpCliOptions, log: (line: string) => void): Promise<{ backend: ScompBackend; served?: ServerBindings }> {
  if (options.connect !== undefined) {
    return { backend: remoteBackend({ url: options.connect, ...(options.token !== undefined ? { token: options.token } : {}) }) };
  }
  const served = await loadServerBindings({
    log,
    ...(options.bindingsModule !== undefined ? { bindingsModule: options.bindingsModule } : {}),
    ...(options.threadBindingsModule !== undefined ? { threadBindingsModule: options.threadBindingsModule } : {}),
    ...(options.mcpConfig !== undefined ? { mcpConfig: options.mcpConfig } : {}),
  });
  const backend = inProcessBackend({
    bindings: served.bindings,
    ...(options.evalTimeoutMs !== undefined ? { evalTimeoutMs: options.evalTimeoutMs } : {}),
    ...(options.memoryMb !== undefined ? { memoryBytes: options.memoryMb * 1024 * 1024 } : {}),
    onFault: (error) => log(`fault: ${error instanceof Error ? error.message : String(error)}`),
  });
  followBindings(served, backend.server, log);
  return { backend, served };
}
