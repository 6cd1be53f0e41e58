import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getEventListeners } from 'node:events';
import type { BindingContext } from '@scomp/peer';
import { renderDeclarations } from '@scomp/peer/declarations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcpServers, followBindings, inProcessBackend, parseMcpConfig, serveCodeModeHttp, type McpServers } from '../src/index.js';
import { demoBindings } from '../src/demo.js';
import { registryServer } from './support/mcpFixtures.js';

const misbehaving = fileURLToPath(new URL('./fixtures/misbehavingServer.mjs', import.meta.url));

// One set of servers for the file: starting Node processes is the slow part on a loaded machine.
let servers: McpServers;
let backend: ReturnType<typeof inProcessBackend>;
let memoryDir: string;
const warnings: string[] = [];
const warned: { match: RegExp; resolve: () => void }[] = [];

function warningMatching(match: RegExp): Promise<void> {
  if (warnings.some((line) => match.test(line))) return Promise.resolve();
  return new Promise((resolve) => warned.push({ match, resolve }));
}

beforeAll(async () => {
  memoryDir = mkdtempSync(join(tmpdir(), 'scomp-mcp-memory-'));
  const config = parseMcpConfig({
    mcpServers: {
      everything: registryServer('server-everything'),
      memory: { ...registryServer('server-memory'), env: { MEMORY_FILE_PATH: join(memoryDir, 'memory.jsonl') } },
      bad: { command: process.execPath, args: [misbehaving] },
      missing: { command: join(memoryDir, 'no-such-command') },
    },
  });
  servers = await connectMcpServers(config, {
    callTimeoutMs: 1000,
    onWarning: (line) => {
      warnings.push(line);
      for (const waiter of warned.filter((w) => w.match.test(line))) waiter.resolve();
    },
  });
  backend = inProcessBackend({ bindings: servers.bindings });
}, 60_000);

afterAll(async () => {
  await backend?.close();
  await servers?.close();
  rmSync(memoryDir, { recursive: true, force: true });
});

async function evalIn(code: string): Promise<unknown> {
  await using client = await backend.connect({});
  return await client.eval(code);
}

async function failureOf(code: string): Promise<{ code?: number; message: string; data?: unknown }> {
  await using client = await backend.connect({});
  const caught = await client.eval(`try { ${code}; 'no error' } catch (e) { ({ name: e.name, code: e.code, message: e.message, data: e.data }) }`);
  return caught as { code?: number; message: string; data?: unknown };
}

describe('MCP servers as bindings', () => {
  it('mounts each server under its name, leaving out a server that cannot start with a warning', () => {
    expect([...servers.connected].sort()).toEqual(['bad', 'everything', 'memory']);
    expect(warnings.some((line) => line.startsWith('missing: not started'))).toBe(true);
    const names = servers.bindings.map((binding) => binding.meta.name);
    expect(names).toContain('everything.get_sum');
    expect(names).toContain('memory.read_graph');
  });

  it('renders the tools as TypeScript declarations for scomp bindings', () => {
    const text = renderDeclarations(servers.bindings.map((binding) => binding.meta));
    expect(text).toMatch(/declare namespace everything \{[\s\S]*function get_sum\(args: \{[\s\S]*a: number;/);
  });

  it('returns text as a string, JSON text as a value, and structuredContent as the value', async () => {
    expect(await evalIn('await everything.echo({ message: "hi" })')).toBe('Echo: hi');
    expect(await evalIn('await everything.get_sum({ a: 2, b: 3 })')).toMatch(/5/);
    const weather = (await evalIn('await everything.get_structured_content({ location: "Chicago" })')) as Record<string, unknown>;
    expect(Object.keys(weather).sort()).toEqual(['conditions', 'humidity', 'temperature']);
  });

  it('keeps images as content blocks in the value', async () => {
    const value = (await evalIn('await everything.get_tiny_image()')) as { content: { type: string; mimeType?: string }[] };
    expect(value.content.some((block) => block.type === 'image' && block.mimeType === 'image/png')).toBe(true);
  });

  it('composes calls of a real server in one eval', async () => {
    const graph = await evalIn(`
      await memory.create_entities({ entities: [
        { name: 'Ada', entityType: 'person', observations: ['wrote the first program'] },
        { name: 'Engine', entityType: 'machine', observations: [] },
      ] });
      await memory.create_relations({ relations: [{ from: 'Ada', to: 'Engine', relationType: 'programmed' }] });
      const found = await memory.search_nodes({ query: 'program' });
      ({ entities: found.entities.map((e) => e.name), relations: (await memory.read_graph()).relations.length })
    `);
    expect(graph).toEqual({ entities: ['Ada'], relations: 1 });
  });

  it('leaves no listener behind on the signal that the calls of one eval share', async () => {
    const getSum = servers.bindings.find((binding) => binding.meta.name === 'everything.get_sum')!;
    const shared = new AbortController();
    const context = { signal: shared.signal } as unknown as BindingContext;
    for (let i = 0; i < 12; i++) expect(await getSum.call({ a: i, b: 1 }, context)).toMatch(/is/);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('refuses invalid arguments before calling the tool', async () => {
    const failure = await failureOf('await everything.get_sum({ a: "two", b: 3 })');
    expect(failure.code).toBe(-32602);
  });

  it('turns isError into a binding error carrying the text and the content', async () => {
    const failure = await failureOf('await bad.fails()');
    expect(failure).toMatchObject({
      code: 1000,
      message: 'no such order: o_404',
      data: { tool: 'fails', text: 'no such order: o_404', content: [{ type: 'text', text: 'no such order: o_404' }] },
    });
  });

  it('ends a call that breaks its output schema with a binding error', async () => {
    const failure = await failureOf('await bad.bad_output()');
    expect(failure.code).toBe(1001);
    expect(failure.message).toMatch(/bad-output failed: .*output schema/i);
  });

  it('ends a call the server never answers, and the server keeps serving', async () => {
    const failure = await failureOf('await bad.hang()');
    expect(failure).toMatchObject({ code: 1001, data: { tool: 'hang', server: 'bad' } });
    expect(failure.message).toMatch(/timed out/i);
    expect(await evalIn('await bad.ok()')).toBe('fine');
  });

  it('leaves out a tool whose schema cannot be used, and refuses a name clash naming both tools', () => {
    expect(warnings).toContainEqual(expect.stringMatching(/^bad: tool bad-schema left out: its schema cannot be used \(.*\)$/));
    expect(warnings).toContain('bad: tool a_b left out: tools "a-b" and "a_b" both become binding bad.a_b');
  });

  it('follows tools/list_changed: sessions opened afterwards have the new set, open ones keep theirs', async () => {
    await using before = await backend.connect({});
    expect(await before.eval('typeof bad.ok')).toBe('function');
    // The backend follows the set as scomp-server and scomp-mcp do.
    const unfollow = followBindings(servers, backend.server, (line) => warnings.push(line));
    const changed = new Promise<readonly string[]>((resolve) => {
      const stop = servers.onChange((bindings) => {
        stop();
        resolve(bindings.map((binding) => binding.meta.name));
      });
    });
    expect(await evalIn('await bad.drop()')).toBe('dropped');
    const names = await changed;
    expect(names).toContain('bad.added');
    expect(names).not.toContain('bad.ok');
    expect(warnings).toContain('bad: new tool added is mounted for the sessions opened from now on');
    unfollow();
    expect(await evalIn('[typeof bad.ok, await bad.added()]')).toEqual(['undefined', 'here']);
    expect(await before.eval('typeof bad.added')).toBe('undefined');
    const failure = (await before.eval('try { await bad.ok() } catch (e) { ({ code: e.code, message: e.message }) }')) as object;
    expect(failure).toEqual({ code: -32010, message: 'bad no longer has the tool ok' });
  });

  // Last: the crash ends the server for the rest of the file.
  it('ends a call whose server crashes with a binding error; other servers keep working', async () => {
    const crashed = warningMatching(/^bad: server closed the connection/);
    const failure = await failureOf('await bad.crash()');
    expect(failure).toMatchObject({ code: 1001, data: { tool: 'crash', server: 'bad' } });
    await crashed;
    expect(warnings.find((line) => line.startsWith('bad: server closed'))).toContain('crashing on purpose');
    expect(await evalIn('await everything.echo({ message: "still here" })')).toBe('Echo: still here');
    expect((await failureOf('await bad.fails()')).code).toBe(1001);
  });
});

describe('an MCP server reached by URL', () => {
  it('mounts the tools of a Streamable HTTP server, here scomp-mcp itself', async () => {
    await using shopBackend = inProcessBackend({ bindings: demoBindings() });
    await using http = await serveCodeModeHttp({ backend: shopBackend, port: 0 });
    await using remote = await connectMcpServers(parseMcpConfig({ mcpServers: { shop: { url: http.url } } }));
    expect(remote.bindings.map((binding) => binding.meta.name)).toEqual(['shop.eval', 'shop.reset']);
    await using local = inProcessBackend({ bindings: remote.bindings });
    await using client = await local.connect({});
    const value = await client.eval('(await shop.eval({ code: "(await getOrder({ id: \'o_003\' })).customer" })).value');
    expect(value).toBe('Grace Hopper');
  });
});

describe('mcpServers configuration', () => {
  it('accepts the format MCP clients use and names what is wrong otherwise', () => {
    const entries = parseMcpConfig({ mcpServers: { a: { command: 'node', args: ['x.js'], env: { K: 'v' }, cwd: 'sub' }, b: { url: 'http://127.0.0.1:1/mcp' } } }, 'mcp.json', '/base');
    expect(entries.get('a')).toEqual({ command: 'node', args: ['x.js'], env: { K: 'v' }, cwd: '/base/sub' });
    expect(entries.get('b')).toEqual({ url: 'http://127.0.0.1:1/mcp' });
    expect(() => parseMcpConfig({ servers: {} }, 'mcp.json')).toThrow(/mcp.json: expected \{ "mcpServers"/);
    expect(() => parseMcpConfig({ mcpServers: { 'my-db': { command: 'x' } } }, 'mcp.json')).toThrow(/mcpServers.my-db: the name becomes/);
    expect(() => parseMcpConfig({ mcpServers: { a: { args: [] } } }, 'mcp.json')).toThrow(/mcpServers.a needs "command"/);
    expect(() => parseMcpConfig({ mcpServers: { a: { command: 'x', args: [1] } } }, 'mcp.json')).toThrow(/args must be an array of strings/);
  });
});
