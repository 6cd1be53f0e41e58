/** Benchmark 8: a task of 20 dependent tool calls, as 20 MCP round trips and as one scomp eval. */
import type { Config } from './config.js';
import { goalNoSlower, goalTimesFaster, type Goal, type Result } from './report.js';
import { paired, repeated } from './stats.js';
import { mcpMemory, mcpStdio, scompMemory, scompStdio, type ScompSystem, type System } from './systems.js';

const STEPS = 20;
const composed = (steps: number): string => `let x = 0; for (let i = 0; i < ${steps}; i++) x = (await step({ x })).x; x`;
const COMPOSED = composed(STEPS);
/** The same code making no call: the eval's own round trip over the row's transport. */
const NO_CALLS = composed(0);

async function msPerTask(task: () => Promise<unknown>, tasks: number, answer = STEPS): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < tasks; i++) {
    if ((await task()) !== answer) throw new Error('the task gave a wrong answer');
  }
  return Number(process.hrtime.bigint() - start) / 1e6 / tasks;
}

async function roundTrips(mcp: System): Promise<number> {
  let x = 0;
  for (let i = 0; i < STEPS; i++) x = ((await mcp.call('step', { x })) as { x: number }).x;
  return x;
}

/** `id` names the row after `agent.20-calls.`; `modules` says the tools are module bindings. */
async function story(
  config: Config,
  row: { id: string; transport: string; modules?: boolean },
  goal: (ratio: number) => Goal,
  open: () => Promise<[ScompSystem, System]>,
): Promise<Result> {
  const { transport } = row;
  const [scomp, mcp] = await open();
  try {
    const result = await paired(
      () => msPerTask(() => scomp.client.eval(COMPOSED), config.agentTasks),
      () => msPerTask(() => roundTrips(mcp), config.agentTasks),
      config.counts,
    );
    const evalOnly = await repeated(() => msPerTask(() => scomp.client.eval(NO_CALLS), config.agentTasks, 0), config.counts);
    return {
      id: `agent.20-calls.${row.id}`,
      group: 'agent',
      title: row.modules
        ? `20 dependent tool calls, ${transport}, tools defined in a module (run on the guest's thread): one eval vs 20 callTool`
        : `20 dependent tool calls, ${transport}: one eval vs 20 callTool`,
      subject: { name: 'scomp: one eval', unit: 'ms', summary: result.subject, perRun: config.agentTasks },
      baseline: { name: 'MCP: 20 callTool', unit: 'ms', summary: result.baseline, perRun: config.agentTasks },
      ratio: result.ratio,
      goal: goal(result.ratio),
      note: 'wall time of the tool calls only; with a model in the loop, each MCP round trip is also a model turn',
      floors: { evalMs: evalOnly.median },
    };
  } finally {
    await scomp.close();
    await mcp.close();
  }
}

export async function agentBenchmarks(config: Config): Promise<Result[]> {
  const stdio = { id: 'stdio child process', transport: 'stdio child process' };
  const memory = { id: 'in-memory pair', transport: 'in-memory pair' };
  const overStdio = (ratio: number) => goalTimesFaster(ratio, 5, 'MCP');
  // In memory, 20 bare QuickJS host calls alone take more than half of MCP's time: near the limit.
  const inMemory = (ratio: number) => goalNoSlower(ratio, 'MCP');
  return [
    await story(config, stdio, overStdio, async () => [await scompStdio(), await mcpStdio()]),
    await story(config, memory, inMemory, async () => [await scompMemory(), await mcpMemory()]),
    await story(config, { id: 'stdio.module', transport: stdio.transport, modules: true }, overStdio, async () => [await scompStdio(true), await mcpStdio()]),
    await story(config, { id: 'memory.module', transport: memory.transport, modules: true }, inMemory, async () => [
      await scompMemory(undefined, true),
      await mcpMemory(),
    ]),
  ];
}
