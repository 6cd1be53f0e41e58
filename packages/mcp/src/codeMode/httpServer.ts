import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CodeModeSession, type CodeModeOptions } from './codeModeSession.js';
import { hostGuard } from './hostGuard.js';

export interface CodeModeHttpOptions extends CodeModeOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** An MCP session without requests for this long is closed with its scomp session. @default 900000 (15 min) */
  sessionIdleMs?: number;
  /**
   * Host names (any port) accepted in the `Host` header besides the listening address and the
   * loopback names; on a wildcard address (`0.0.0.0`, `::`), the only ones accepted when given.
   * Anything else is answered 403 (DNS-rebinding protection). @default []
   */
  allowedHosts?: readonly string[];
  /** Origins (`scheme://host[:port]`) accepted besides those on an allowed host; others get 403. @default [] */
  allowedOrigins?: readonly string[];
  /** An MCP session ended: the client deleted it, it expired, or the server shut down. @default ignored */
  onSessionClosed?(sessionId: string, reason: 'deleted' | 'expired' | 'shutdown'): void;
}

/** Code mode served over Streamable HTTP at `/mcp`, one scomp session per MCP session. */
export interface CodeModeHttpServer {
  /** `http://host:port/mcp` */
  readonly url: string;
  readonly port: number;
  /** MCP sessions currently open. */
  sessionCount(): number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface HttpSession {
  transport: StreamableHTTPServerTransport;
  session: CodeModeSession;
  idle?: ReturnType<typeof setTimeout>;
  /** POST requests in flight; the idle clock runs only while there are none (a GET stream stays open). */
  active: number;
}

export async function serveCodeModeHttp(options: CodeModeHttpOptions): Promise<CodeModeHttpServer> {
  const sessions = new Map<string, HttpSession>();
  const idleMs = options.sessionIdleMs ?? 900_000;

  const end = async (id: string, reason: 'deleted' | 'expired' | 'shutdown') => {
    const entry = sessions.get(id);
    if (!entry) return;
    sessions.delete(id);
    clearTimeout(entry.idle);
    await entry.session.close();
    options.onSessionClosed?.(id, reason);
  };
  const armIdle = (entry: HttpSession, id: string) => {
    clearTimeout(entry.idle);
    if (entry.active > 0) return;
    entry.idle = setTimeout(() => void end(id, 'expired'), idleMs);
    entry.idle.unref();
  };

  const check = hostGuard({
    listenHost: options.host ?? '127.0.0.1',
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const refused = check({ host: req.headers.host, origin: req.headers.origin });
    if (refused !== undefined) return reply(res, 403, refused);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/mcp') return reply(res, 404, 'not found: the MCP endpoint is /mcp');
    const header = req.headers['mcp-session-id'];
    const id = Array.isArray(header) ? header[0] : header;
    if (id !== undefined) {
      const entry = sessions.get(id);
      if (!entry) return reply(res, 404, 'session not found (expired or closed): initialize a new one');
      clearTimeout(entry.idle);
      if (req.method === 'POST') {
        // A streamed answer outlives handleRequest; the response's end is when the request is done.
        entry.active++;
        res.once('close', () => {
          entry.active--;
          if (sessions.get(id) === entry) armIdle(entry, id);
        });
      }
      await entry.transport.handleRequest(req, res);
      return;
    }
    // No session yet: only an initialize request may start one; the transport answers anything else with an error.
    const session = new CodeModeSession(options);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (newId) => {
        const entry: HttpSession = { transport, session, active: 0 };
        sessions.set(newId, entry);
        armIdle(entry, newId);
      },
      onsessionclosed: (closedId) => end(closedId, 'deleted'),
    });
    await session.mcp.connect(transport);
    await transport.handleRequest(req, res);
    if (transport.sessionId === undefined) await session.close();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, error instanceof Error ? error.message : String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all([...sessions.keys()].map((id) => end(id, 'shutdown')));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })());
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/mcp`,
    port,
    sessionCount: () => sessions.size,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
