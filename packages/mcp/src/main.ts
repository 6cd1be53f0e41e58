import type { Binding } from '@scomp/peer';
import { serveStdio } from '@scomp/transport-stdio';
import { MCP_HELP, UsageError, parseMcpArgs, type McpCliOptions } from './cli.js';
import { inProcessBackend, remoteBackend, type ScompBackend } from './codeMode/backend.js';
import { CodeModeSession, type CodeModeOptions } from './codeMode/codeModeSession.js';
import { serveCodeModeHttp } from './codeMode/httpServer.js';
import { demoBindings } from './demoShop.js';
import { loadBindings } from './loadBindings.js';
import { connectMcpServers, readMcpConfig, type McpServers } from './mcpConfig.js';
import { toMcpTransport } from './mcpTransport.js';

export interface McpMainIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): McpMainIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Runs `scomp-mcp` until it shuts down; resolves with the exit code (0 clean, 1 failed to start, 2 usage). */
export async function main(argv: readonly string[], io: McpMainIo = defaultIo()): Promise<number> {
  const log = (line: string) => io.stderr.write(`scomp-mcp: ${line}\n`);
  let command;
  try {
    command = parseMcpArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`scomp-mcp: ${error.message}\nRun "scomp-mcp --help" for the options.\n`);
    return 2;
  }
  if (command.kind === 'help') {
    io.stdout.write(MCP_HELP);
    return 0;
  }
  const options = command.options;
  // Over stdio, stdout carries MCP: anything a bindings module prints goes to stderr.
  if (options.transport === 'stdio') redirectConsoleToStderr();
  let backend: ScompBackend;
  let mcpServers: McpServers | undefined;
  try {
    ({ backend, mcpServers } = await backendFrom(options, log));
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
      const server = await serveCodeModeHttp({ ...codeMode, host: options.host, port: options.port, sessionIdleMs: options.sessionIdleMs });
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
    await mcpServers?.close();
  }
}

async function backendFrom(options: McpCliOptions, log: (line: string) => void): Promise<{ backend: ScompBackend; mcpServers?: McpServers }> {
  if (options.connect !== undefined) {
    return { backend: remoteBackend({ url: options.connect, ...(options.token !== undefined ? { token: options.token } : {}) }) };
  }
  const bindings: Binding[] = [];
  let mcpServers: McpServers | undefined;
  if (options.bindingsModule !== undefined) {
    const loaded = await loadBindings(options.bindingsModule);
    log(`loaded ${loaded.length} binding(s) from ${options.bindingsModule}`);
    bindings.push(...loaded);
  }
  if (options.mcpConfig !== undefined) {
    mcpServers = await connectMcpServers(await readMcpConfig(options.mcpConfig), { onWarning: log });
    log(`mounted ${mcpServers.bindings.length} tool(s) from ${mcpServers.connected.join(', ') || 'no server'}`);
    bindings.push(...mcpServers.bindings);
  }
  if (options.bindingsModule === undefined && options.mcpConfig === undefined) bindings.push(...demoBindings());
  try {
    const backend = inProcessBackend({
      bindings,
      ...(options.evalTimeoutMs !== undefined ? { evalTimeoutMs: options.evalTimeoutMs } : {}),
      ...(options.memoryMb !== undefined ? { memoryBytes: options.memoryMb * 1024 * 1024 } : {}),
      onFault: (error) => log(`fault: ${error instanceof Error ? error.message : String(error)}`),
    });
    return { backend, ...(mcpServers ? { mcpServers } : {}) };
  } catch (error) {
    await mcpServers?.close();
    throw error;
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function shutdownSignal(log: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: shutting down`);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      const force = () => process.exit(1);
      process.once('SIGINT', force).once('SIGTERM', force);
      resolve();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

function redirectConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
