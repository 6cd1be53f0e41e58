import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, createServer } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { describe, expect, it } from 'vitest';
import { startServer } from '../src/index.js';
import { servePlayground } from '../src/playground.js';

interface Answer {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) =>
    httpRequest(url, { method }, (response) => {
      let body = '';
      response
        .on('data', (chunk: Buffer) => (body += chunk.toString()))
        .on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    })
      .on('error', reject)
      .end(),
  );
}

/** A raw request path, sent as written (no URL normalisation by the client). */
function getRaw(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) =>
    httpRequest({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      resolve(response.statusCode);
    })
      .on('error', reject)
      .end(),
  );
}

describe('the playground page', () => {
  it('is served on the WebSocket port, which still accepts sessions', async () => {
    await using running = await startServer({ port: 0, playground: true });
    expect(running.playgroundUrl).toBe(`http://127.0.0.1:${running.port}/`);
    const page = await get(running.playgroundUrl!);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<div id="app">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await get(`${running.playgroundUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');

    const client = await Client.connect(() => connectWebSocket(running.url));
    expect(await client.eval("const o = await getOrder({ id: 'o_001' }); o.total")).toBe(142.5);
    client.close();
  });

  it('answers unknown paths 404, paths out of its folder 404, and other methods 405', async () => {
    await using running = await startServer({ port: 0, playground: true });
    expect((await get(`${running.playgroundUrl}missing.js`)).status).toBe(404);
    expect(await getRaw(running.port, '/../package.json')).toBe(404);
    expect(await getRaw(running.port, '/%2e%2e/package.json')).toBe(404);
    expect(await getRaw(running.port, '/assets/%00')).toBe(404);
    const post = await get(running.playgroundUrl!, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await get(running.playgroundUrl!, 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
  });

  it('says how to build the page when it is missing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scomp-playground-'));
    const server = createServer(servePlayground(root)).listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const { port } = server.address() as { port: number };
      const answer = await get(`http://127.0.0.1:${port}/`);
      expect(answer).toMatchObject({ status: 503, body: 'the playground is not built: run "pnpm build"\n' });
    } finally {
      server.close();
      await rm(root, { recursive: true });
    }
  });

  it('is not served without the option', async () => {
    await using running = await startServer({ port: 0 });
    expect(running.playgroundUrl).toBeUndefined();
    expect((await get(`http://127.0.0.1:${running.port}/`)).status).toBe(426);
  });
});
