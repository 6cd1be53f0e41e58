/** Benchmark 2, against its peers: the same tool call through scomp, the MCP SDK and Cap'n Web. */
import { startWsServer } from './child.js';
import type { Config } from './config.js';
import { goalFaster, type Result } from './report.js';
import { paired, timeSequential } from './stats.js';
import { capnwebMessagePort, capnwebWs, mcpMemory, mcpStdio, scompMemory, scompStdio, scompWs, type System } from './systems.js';

async function compare(
  config: Config,
  id: string,
  title: string,
  peer: string,
  peerName: string,
  open: () => Promise<[System, System]>,
): Promise<Result> {
  const [scomp, other] = await open();
  try {
    const n = config.roundTrips;
    const args = { n: 1 };
    const result = await paired(
      () => timeSequential(() => scomp.call('echo', args), n),
      () => timeSequential(() => other.call('echo', args), n),
      config.counts,
    );
    return {
      id,
      group: 'peers',
      title,
      subject: { name: 'scomp invoke', unit: 'us/op', summary: result.subject, perRun: n },
      baseline: { name: peer, unit: 'us/op', summary: result.baseline, perRun: n },
      ratio: result.ratio,
      goal: goalFaster(result.ratio, peerName),
    };
  } finally {
    await scomp.close();
    await other.close();
  }
}

export async function peerBenchmarks(config: Config): Promise<Result[]> {
  const results: Result[] = [];
  results.push(
    await compare(config, 'peers.mcp.memory', 'invoke vs MCP callTool, in-memory pair', 'MCP callTool', 'MCP', async () => [
      await scompMemory(),
      await mcpMemory(),
    ]),
  );
  results.push(
    await compare(config, 'peers.mcp.stdio', 'invoke vs MCP callTool, stdio child process', 'MCP callTool', 'MCP', async () => [
      await scompStdio(),
      await mcpStdio(),
    ]),
  );
  results.push(
    await compare(
      config,
      'peers.capnweb.memory',
      "invoke vs Cap'n Web call, in-process (Cap'n Web: MessagePort)",
      "Cap'n Web call",
      "Cap'n Web",
      async () => [await scompMemory(), await capnwebMessagePort()],
    ),
  );
  await using server = await startWsServer();
  results.push(
    await compare(config, 'peers.capnweb.ws', "invoke vs Cap'n Web call, ws, 2 processes", "Cap'n Web call", "Cap'n Web", async () => [
      await scompWs(server.urls.scomp),
      await capnwebWs(server.urls.capnweb),
    ]),
  );
  return results;
}
