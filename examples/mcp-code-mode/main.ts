import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { runWhenMain, type Log } from '../shared/runMain.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

export async function run(log: Log = () => {}) {
  const dir = await mkdtemp(join(tmpdir(), 'scomp-example-mcp-'));
  try {
    // The user's existing MCP server, configured as any MCP client configures it.
    const config = join(dir, 'mcp.json');
    const memoryServer = join(packageDir('@modelcontextprotocol/server-memory'), 'dist/index.js');
    await writeFile(
      config,
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: [memoryServer], env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') } } } }),
    );

    // The MCP client (an agent's harness) starts scomp-mcp in front of it. From source here; a user runs `scomp-mcp`.
    const client = new Client({ name: 'example-harness', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--conditions=@scomp/source', '--import', 'tsx', join(packageDir('@scomp/mcp'), 'src/bin.ts'), '--mcp-config', config],
        stderr: 'ignore',
      }),
    );
    try {
      const { tools } = await client.listTools();
      log(`tools: ${tools.map((tool) => tool.name).join(', ')}`);
      const description = tools.find((tool) => tool.name === 'eval')!.description!;
      assert.match(description, /declare namespace memory/);
      assert.match(description, /function create_entities\(/);

      // One model turn: code that makes five calls of the memory server and returns only the answer.
      const first = await client.callTool({
        name: 'eval',
        arguments: {
          code: `
            const people = ['Ada', 'Grace', 'Alan'];
            await memory.create_entities({ entities: people.map((name) => ({ name, entityType: 'person', observations: [] })) });
            await memory.create_relations({ relations: [
              { from: 'Ada', to: 'Grace', relationType: 'inspired' },
              { from: 'Grace', to: 'Alan', relationType: 'inspired' },
            ] });
            await memory.add_observations({ observations: [{ entityName: 'Grace', contents: ['wrote the first compiler'] }] });
            const graph = await memory.read_graph();
            console.log('entities:', graph.entities.length, 'relations:', graph.relations.length);
            graph.relations.filter((r) => r.relationType === 'inspired').map((r) => r.from + ' -> ' + r.to)`,
        },
      });
      log(`first eval: ${JSON.stringify(first.structuredContent)}`);
      assert.deepEqual(first.structuredContent, { value: ['Ada -> Grace', 'Grace -> Alan'], logs: ['entities: 3 relations: 2'] });

      // The next turn builds on the state the first left: \`people\` is still defined.
      const second = await client.callTool({
        name: 'eval',
        arguments: { code: `(await memory.open_nodes({ names: people })).entities.find((e) => e.observations.length > 0).name` },
      });
      log(`second eval: ${JSON.stringify(second.structuredContent)}`);
      assert.deepEqual(second.structuredContent, { value: 'Grace', logs: [] });
      return { first: first.structuredContent, second: second.structuredContent };
    } finally {
      await client.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runWhenMain(import.meta.url, run);
