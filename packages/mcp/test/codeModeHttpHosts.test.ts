import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { inProcessBackend, serveCodeModeHttp, type CodeModeHttpOptions } from '../src/index.js';
import { demoBindings } from '../src/demo.js';
import { parseMcpArgs } from '../src/cli.js';
import { hostGuard } from '../src/codeMode/hostGuard.js';

async function httpServer(options: Partial<CodeModeHttpOptions> = {}) {
  const backend = inProcessBackend({ bindings: demoBindings() });
  const server = await serveCodeModeHttp({ backend, port: 0, ...options });
  return {
    server,
    async [Symbol.asyncDispose]() {
      await server.close();
      await backend.close();
    },
  };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** An initialize POST with the Host (and Origin) a browser would send; resolves with status and body. */
function initializeAs(port: number, host: string, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          host,
          ...(origin !== undefined ? { origin } : {}),
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(initialize));
  });
}

describe('scomp-mcp over Streamable HTTP: DNS-rebinding protection', () => {
  it('accepts the loopback names on a loopback address', async () => {
    await using http = await httpServer();
    const port = http.server.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', `[::1]:${port}`]) {
      expect((await initializeAs(port, host)).status, host).toBe(200);
    }
    expect((await initializeAs(port, `localhost:${port}`, 'http://localhost:6274')).status).toBe(200);
  });

  it('answers 403 to another Host, naming it and the flag that allows it', async () => {
    await using http = await httpServer();
    const port = http.server.port;
    const refused = await initializeAs(port, `evil.example:${port}`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: `Host "evil.example:${port}" is not allowed (DNS rebinding protection): allow it with --allowed-hosts (allowedHosts)` },
      id: null,
    });
    expect(http.server.sessionCount()).toBe(0);
  });

  it('answers 403 to a page on another origin, even with a loopback Host', async () => {
    await using http = await httpServer();
    const port = http.server.port;
    const refused = await initializeAs(port, `127.0.0.1:${port}`, 'http://evil.example');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.message).toBe(
      'Origin "http://evil.example" is not allowed (DNS rebinding protection): allow it with --allowed-origins (allowedOrigins)',
    );
    expect((await initializeAs(port, `127.0.0.1:${port}`, 'null')).status).toBe(403);
  });

  it('accepts the hosts and origins it is told to', async () => {
    await using http = await httpServer({ allowedHosts: ['mcp.internal'], allowedOrigins: ['https://app.example'] });
    const port = http.server.port;
    expect((await initializeAs(port, `mcp.internal:${port}`)).status).toBe(200);
    expect((await initializeAs(port, `mcp.internal:${port}`, 'http://mcp.internal:3000')).status).toBe(200);
    expect((await initializeAs(port, `localhost:${port}`, 'https://app.example')).status).toBe(200);
    expect((await initializeAs(port, `localhost:${port}`, 'https://other.example')).status).toBe(403);
    expect((await initializeAs(port, `other.internal:${port}`)).status).toBe(403);
  });

  it('on a wildcard address checks the Host only against allowedHosts, and the Origin against the Host', () => {
    // Tests listen on loopback only, so the wildcard rules are checked on the guard itself.
    const open = hostGuard({ listenHost: '0.0.0.0' });
    expect(open({ host: '10.0.0.7:7358' })).toBeUndefined();
    expect(open({ host: '10.0.0.7:7358', origin: 'http://10.0.0.7:8080' })).toBeUndefined();
    expect(open({ host: '10.0.0.7:7358', origin: 'http://evil.example' })).toMatch(/^Origin "http:\/\/evil.example" is not allowed/);
    const named = hostGuard({ listenHost: '::', allowedHosts: ['mcp.example'] });
    expect(named({ host: '10.0.0.7:7358' })).toMatch(/^Host "10.0.0.7:7358" is not allowed/);
    expect(named({ host: 'mcp.example:7358' })).toBeUndefined();
    expect(named({})).toMatch(/^Host "" is not allowed/);
  });

  it('takes the lists from --allowed-hosts and --allowed-origins', () => {
    expect(parseMcpArgs(['--http', '--allowed-hosts', 'a.internal, b.internal', '--allowed-origins', 'https://app.example'], {})).toMatchObject({
      options: { allowedHosts: ['a.internal', 'b.internal'], allowedOrigins: ['https://app.example'] },
    });
    expect(() => parseMcpArgs(['--allowed-hosts', 'a'], {})).toThrow('--allowed-hosts and --allowed-origins need --http');
    expect(() => parseMcpArgs(['--http', '--allowed-origins', 'app.example'], {})).toThrow(/takes origins like https:\/\/app.example/);
  });
});
