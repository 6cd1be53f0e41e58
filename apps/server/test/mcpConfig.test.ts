import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { spawnServerProcess } from '../src/testing/index.js';

// The registry servers are dev dependencies of @scomp/mcp; start them as a user's config would.
const fromMcp = createRequire(createRequire(import.meta.url).resolve('@scomp/mcp/package.json'));
function registryServer(name: string) {
  const manifestPath = fromMcp.resolve(`@modelcontextprotocol/${name}/package.json`);
  const bin = Object.values((fromMcp(manifestPath) as { bin: Record<string, string> }).bin)[0]!;
  return { command: process.execPath, args: [join(dirname(manifestPath), bin)] };
}

let dir: string;
let configFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scomp-server-mcp-'));
  configFile = join(dir, 'mcp.json');
  const config = {
    mcpServers: {
      everything: registryServer('server-everything'),
      memory: { ...registryServer('server-memory'), env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') } },
    },
  };
  writeFileSync(configFile, JSON.stringify(config));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scomp-server --mcp-config', () => {
  it('serves the tools of the configured MCP servers as bindings in evals', async () => {
    await using server = await spawnServerProcess(['--mcp-config', configFile]);
    expect(server.stderr).toMatch(/mounted \d+ MCP tool\(s\) from everything, memory/);
    await using client = await Client.connect(() => connectWebSocket(server.url));
    const names = client.serverBindings.map((meta) => meta.name);
    expect(names).toContain('memory.create_entities');
    expect(names).toContain('everything.echo');
    expect(names).not.toContain('getOrder');
    const value = await client.eval(`
      await memory.create_entities({ entities: [{ name: 'scomp', entityType: 'project', observations: ['speaks MCP'] }] });
      const graph = await memory.read_graph();
      [await everything.echo({ message: graph.entities[0].name }), graph.entities[0].observations]
    `);
    expect(value).toEqual(['Echo: scomp', ['speaks MCP']]);
  });

  it('fails to start with a clear message when the file is not an mcpServers file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ servers: {} }));
    await expect(spawnServerProcess(['--mcp-config', bad])).rejects.toThrow(/expected \{ "mcpServers"/);
  });
});
