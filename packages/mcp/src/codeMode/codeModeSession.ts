import { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
  SetLevelRequestSchema,
  type CallToolResult,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { defineBinding, type Binding } from '@scomp/peer';
import Type from 'typebox';
import { PACKAGE_VERSION } from '../version.js';
import type { ScompBackend } from './backend.js';
import { evalToolResult } from './evalResult.js';
import { isDrop, ScompLink, type SessionLostError } from './scompLink.js';
import { codeModeTools } from './toolList.js';
import { describeBindings, evalDescription } from './toolText.js';

export interface CodeModeOptions {
  backend: ScompBackend;
  /** Characters of value and logs one eval may return together; more is cut with a marker. @default 20000 */
  maxOutputChars?: number;
  /** Declarations longer than this move from the `eval` description to a `describe` tool. @default 8000 */
  describeThresholdChars?: number;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The eval that console output and `confirm` currently belong to. */
interface RunningEval {
  extra: Extra;
  logs: string[];
}

/** Runs of one eval across connection drops, each after the session was resumed. */
const MAX_EVAL_ATTEMPTS = 3;

const LOG_LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
const CONSOLE_LEVEL: Record<string, LoggingLevel> = { log: 'info', info: 'info', debug: 'debug', warn: 'warning', error: 'error' };

/**
 * One MCP session of code mode: an MCP server with the `eval`, `reset` and (for large binding
 * sets) `describe` tools, over one scomp session opened when the first tool is listed or called.
 * Evals run one at a time, so console output belongs to the eval that wrote it.
 */
export class CodeModeSession {
  readonly mcp: McpServer;
  private link: ScompLink | undefined;
  /** The bindings the client was last given in `tools/list` (the `eval` description's source). */
  private listedBindings: string | undefined;
  /** A session lost while no eval ran, to be told to the next eval. */
  private lostNotice: SessionLostError | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private running: RunningEval | undefined;
  private logLevel: LoggingLevel | undefined;
  private closed = false;
  private readonly maxOutputChars: number;
  private readonly describeThresholdChars: number;

  constructor(private readonly options: CodeModeOptions) {
    this.maxOutputChars = options.maxOutputChars ?? 20_000;
    this.describeThresholdChars = options.describeThresholdChars ?? 8000;
    this.mcp = new McpServer(
      { name: 'scomp-mcp', version: PACKAGE_VERSION },
      {
        capabilities: { tools: { listChanged: true }, logging: {} },
        instructions:
          'Code mode: write JavaScript for the eval tool; it calls the bindings listed in its description and keeps state between calls.',
      },
    );
    this.mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await this.tools() }));
    this.mcp.setRequestHandler(CallToolRequestSchema, (request, extra) => this.callTool(request.params, extra));
    this.mcp.setRequestHandler(SetLevelRequestSchema, async (request) => {
      this.logLevel = request.params.level;
      return {};
    });
  }

  /** Ends the scomp session (the next tool call starts a fresh one). */
  async reset(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.lostNotice = undefined;
    if (link) (await link.client.catch(() => undefined))?.close();
  }

  /** Ends the scomp session and the MCP connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reset();
    await this.mcp.close();
  }

  /**
   * The scomp session, opened at first use. One whose connection is resuming is waited for; one
   * that is lost is replaced by a fresh session, and the next eval is told (`lostNotice`).
   */
  private async scomp(): Promise<ScompLink> {
    if (this.closed) throw new Error('the MCP session is closed');
    const current = this.link;
    if (current && !(await current.ready()) && this.link === current) {
      this.link = undefined;
      if (current.lost) this.lostNotice = current.lost;
    }
    if (this.link === undefined) {
      const bindings: Binding[] = [this.consoleBinding()];
      if (this.mcp.getClientCapabilities()?.elicitation !== undefined) bindings.push(this.confirmBinding());
      this.link = new ScompLink((onStateChange) =>
        this.options.backend.connect({ bindings, metadata: { client: this.mcp.getClientVersion() ?? {} }, onStateChange }),
      );
      // A fresh session (after reset, or a lost one) may have other bindings than the client was
      // told, when the server's set changed meanwhile: the client then lists the tools again.
      this.link.client.then(
        (client) => {
          if (this.listedBindings !== undefined && JSON.stringify(client.serverBindings) !== this.listedBindings) {
            void this.mcp.sendToolListChanged().catch(() => {});
          }
        },
        () => {},
      );
    }
    return this.link;
  }

  private async tools(): Promise<Tool[]> {
    const client = await (await this.scomp()).client;
    this.listedBindings = JSON.stringify(client.serverBindings);
    const confirm = this.mcp.getClientCapabilities()?.elicitation !== undefined;
    const { description, describe } = evalDescription(client.serverBindings, { thresholdChars: this.describeThresholdChars, confirm });
    return codeModeTools(description, describe);
  }

  private async callTool(params: { name: string; arguments?: Record<string, unknown> | undefined }, extra: Extra): Promise<CallToolResult> {
    const args = params.arguments ?? {};
    switch (params.name) {
      case 'eval': {
        if (typeof args.code !== 'string') return usageError('eval needs { code: string }');
        const timeoutMs = args.timeoutMs;
        if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) >= 1)) {
          return usageError('eval: timeoutMs must be a positive integer');
        }
        return this.serialized(() => this.runEval(args.code as string, timeoutMs as number | undefined, extra));
      }
      case 'reset':
        await this.serialized(() => this.reset());
        return { content: [{ type: 'text', text: 'The runtime was reset: earlier state is gone.' }] };
      case 'describe': {
        if (typeof args.query !== 'string') return usageError('describe needs { query: string }');
        const client = await (await this.scomp()).client;
        return { content: [{ type: 'text', text: describeBindings(client.serverBindings, args.query) }] };
      }
      default:
        return usageError(`unknown tool ${params.name}: the tools are eval, reset and describe`);
    }
  }

  private serialized<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runEval(code: string, timeoutMs: number | undefined, extra: Extra): Promise<CallToolResult> {
    const running: RunningEval = { extra, logs: [] };
    // One key for the retries after a resume: the server answers a retry with the first run's outcome.
    const key = randomUUID();
    try {
      for (let attempt = 1; ; attempt++) {
        const link = await this.scomp();
        if (this.lostNotice) {
          const notice = this.lostNotice;
          this.lostNotice = undefined;
          return evalToolResult({ error: notice }, [], this.maxOutputChars);
        }
        let client;
        try {
          client = await link.client;
        } catch (error) {
          return evalToolResult({ error }, [], this.maxOutputChars);
        }
        this.running = running;
        try {
          const value = await client.eval(code, {
            key,
            signal: extra.signal,
            ...(timeoutMs !== undefined ? { serverTimeoutMs: timeoutMs } : {}),
          });
          return evalToolResult({ value }, running.logs, this.maxOutputChars);
        } catch (error) {
          if (extra.signal.aborted) throw error;
          if (!isDrop(error) || attempt === MAX_EVAL_ATTEMPTS) return evalToolResult({ error }, running.logs, this.maxOutputChars);
          if (!(await link.afterDrop())) {
            if (this.link === link) this.link = undefined;
            return evalToolResult({ error: link.lost }, running.logs, this.maxOutputChars);
          }
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Console output: into the running eval's logs, as progress when asked for, and as MCP log messages once a level is set. */
  private consoleBinding(): Binding {
    return defineBinding({
      name: 'console',
      input: Type.Object({ level: Type.String(), args: Type.Array(Type.Unknown()) }),
      handler: ({ level, args }) => {
        const text = args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
        const line = level === 'log' || level === 'info' ? text : `[${level}] ${text}`;
        const running = this.running;
        if (running === undefined) return;
        running.logs.push(line);
        const token = running.extra._meta?.progressToken;
        if (token !== undefined) {
          void running.extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: running.logs.length, message: line },
            })
            .catch(() => {});
        }
        const mcpLevel = CONSOLE_LEVEL[level] ?? 'info';
        if (this.logLevel !== undefined && LOG_LEVELS.indexOf(mcpLevel) >= LOG_LEVELS.indexOf(this.logLevel)) {
          void running.extra
            .sendNotification({ method: 'notifications/message', params: { level: mcpLevel, logger: 'console', data: line } })
            .catch(() => {});
        }
      },
    });
  }

  /** `confirm({ message })`: asks the user through MCP elicitation; true only when they accept and tick it. */
  private confirmBinding(): Binding {
    return defineBinding({
      name: 'confirm',
      description: 'Asks the user a yes/no question; resolves to true when they confirm.',
      input: Type.Object({ message: Type.String({ description: 'The question, shown to the user.' }) }),
      output: Type.Boolean(),
      handler: async ({ message }, context) => {
        const running = this.running;
        if (running === undefined) return false;
        const result = await running.extra.sendRequest(
          {
            method: 'elicitation/create',
            params: {
              message,
              requestedSchema: {
                type: 'object',
                properties: { confirm: { type: 'boolean', title: 'Confirm', description: message } },
                required: ['confirm'],
              },
            },
          },
          ElicitResultSchema,
          { signal: context.signal },
        );
        return result.action === 'accept' && result.content?.confirm === true;
      },
    });
  }
}

function usageError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
