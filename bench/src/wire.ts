/** Benchmarks 1, 2, 3, 5 and 7: scomp over WebSocket between two processes against a raw `ws` echo. */
import { Client, defineBinding } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import Type from 'typebox';
import { WebSocket } from 'ws';
import { startWsServer } from './child.js';
import { callsAtSize, type Config } from './config.js';
import { FrameLog, sizes } from './frames.js';
import { RawEchoClient } from './rawEcho.js';
import { goalAtLeast, goalAtMost, type Result } from './report.js';
import { measureResultPieces } from './resultPieces.js';
import { MAX_MESSAGE_BYTES } from './services.js';
import { paired, timePipelined, timeSequential } from './stats.js';

const ping = defineBinding({
  name: 'ping',
  input: Type.Object({ n: Type.Number() }),
  output: Type.Object({ n: Type.Number() }),
  handler: (args) => args,
});

export async function openRawEcho(url: string): Promise<RawEchoClient> {
  const ws = new WebSocket(url, { maxPayload: MAX_MESSAGE_BYTES });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return new RawEchoClient(ws);
}

/** Microseconds per binding call composed inside one eval: (eval with n calls − eval with none) / n. */
export async function perCallInEval(client: Client, call: string, n: number): Promise<number> {
  const loop = (count: number): string => `for (let i = 0; i < ${count}; i++) await ${call}; 0`;
  const start = process.hrtime.bigint();
  await client.eval(loop(n));
  const full = Number(process.hrtime.bigint() - start);
  const start0 = process.hrtime.bigint();
  await client.eval(loop(0));
  const empty = Number(process.hrtime.bigint() - start0);
  return Math.max(0, full - empty) / 1000 / n;
}

const mb = (bytes: number, micros: number): number => bytes / 1e6 / (micros / 1e6);
const label = (bytes: number): string => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);

/**
 * The floor of an eval result of `bytes`: the raw echo's time for the same frames, plus the fixed
 * cost of an eval over its own raw echo (the eval round trip row), plus what a result's text goes
 * through besides, each measured alone here (see resultPieces.ts).
 */
function resultFloor(bytes: number, rawMBps: number, evalOverheadUs: number): string {
  const rawUs = bytes / rawMBps;
  const { readUs, copyUs, checkUs } = measureResultPieces(bytes);
  const floorUs = rawUs + evalOverheadUs + readUs + copyUs + checkUs;
  const ms = (micros: number): string => (micros >= 1000 ? `${(micros / 1000).toFixed(1)} ms` : `${micros.toFixed(0)} us`);
  return (
    `floor: the raw echo's ${ms(rawUs)} + an eval's fixed cost over its raw echo (the eval \`1+1\` row's difference, ${ms(evalOverheadUs)}) + ` +
    `reading the text out of the guest's memory (one decode, ${ms(readUs)}) + one copy to the calling thread (structured clone, ${ms(copyUs)}) + ` +
    `one check of the sandbox's text (RawJson, ${ms(checkUs)}) = at most ${(bytes / floorUs).toFixed(0)} MB/s, ${(rawUs / floorUs).toFixed(2)}x the floor`
  );
}

export async function wireBenchmarks(config: Config): Promise<Result[]> {
  await using server = await startWsServer();
  const frames = new FrameLog();
  const client = await Client.connect(
    frames.wrap(await connectWebSocket(server.urls.scomp, { keepAlive: false, maxMessageBytes: MAX_MESSAGE_BYTES })),
    { bindings: [ping] },
  );
  const raw = await openRawEcho(server.urls.echo);
  const results: Result[] = [];
  const { counts, roundTrips: n } = config;
  try {
    // 1. eval round trip
    const evalSizes = sizes(await frames.record(() => client.eval('1+1')), /"eval"/, /"result"/);
    const evalRtt = await paired(
      () => timeSequential(() => client.eval('1+1'), n),
      () => timeSequential(() => raw.call(evalSizes.out, evalSizes.in), n),
      counts,
    );
    results.push({
      id: 'eval.rtt',
      group: 'wire',
      title: 'eval `1+1` round trip, ws, 2 processes',
      subject: { name: 'scomp eval', unit: 'us/op', summary: evalRtt.subject, perRun: n },
      baseline: { name: `raw ws echo ${evalSizes.out}/${evalSizes.in} B`, unit: 'us/op', summary: evalRtt.baseline, perRun: n },
      ratio: evalRtt.ratio,
      goal: goalAtMost(evalRtt.ratio, 1.5),
    });

    // 2. invoke round trip
    const invokeSizes = sizes(await frames.record(() => client.invoke('echo', { n: 1 })), /"invoke"/, /"result"/);
    const invokeRtt = await paired(
      () => timeSequential(() => client.invoke('echo', { n: 1 }), n),
      () => timeSequential(() => raw.call(invokeSizes.out, invokeSizes.in), n),
      counts,
    );
    results.push({
      id: 'invoke.rtt',
      group: 'wire',
      title: 'invoke client→server round trip, ws, 2 processes',
      subject: { name: 'scomp invoke', unit: 'us/op', summary: invokeRtt.subject, perRun: n },
      baseline: { name: `raw ws echo ${invokeSizes.out}/${invokeSizes.in} B`, unit: 'us/op', summary: invokeRtt.baseline, perRun: n },
      ratio: invokeRtt.ratio,
      goal: goalAtMost(invokeRtt.ratio, 1.2),
    });

    // 3. pipelined invoke throughput
    const { pipelineTotal: total, pipelineWindow: window } = config;
    const pipelined = await paired(
      () => timePipelined(() => client.invoke('echo', { n: 1 }), total, window),
      () => timePipelined(() => raw.call(invokeSizes.out, invokeSizes.in), total, window),
      counts,
    );
    results.push({
      id: 'invoke.pipelined',
      group: 'wire',
      title: `pipelined invoke, ${window} in flight, ws, 2 processes`,
      subject: { name: 'scomp invoke', unit: 'ops/s', summary: pipelined.subject, perRun: total },
      baseline: { name: 'pipelined raw ws echo', unit: 'ops/s', summary: pipelined.baseline, perRun: total },
      ratio: pipelined.ratio,
      goal: goalAtLeast(pipelined.ratio, 0.7),
    });

    // 5. server→client invoke during an eval
    const calls = config.callsPerEval;
    const reverseSizes = sizes(await frames.record(() => client.eval('await ping({ n: 1 })')), /"result"/, /"invoke"/);
    const reverse = await paired(
      () => perCallInEval(client, 'ping({ n: i })', calls),
      () => timeSequential(() => raw.call(reverseSizes.out, reverseSizes.in), calls),
      counts,
    );
    results.push({
      id: 'invoke.server-to-client',
      group: 'wire',
      title: 'invoke server→client from inside an eval, ws, 2 processes',
      subject: { name: 'scomp invoke', unit: 'us/op', summary: reverse.subject, perRun: calls },
      baseline: { name: `raw ws echo ${reverseSizes.in}/${reverseSizes.out} B`, unit: 'us/op', summary: reverse.baseline, perRun: calls },
      ratio: reverse.ratio,
      goal: goalAtMost(reverse.ratio, 1.5),
    });

    // 7. message size scaling
    await client.eval(`globalThis.big = 'x'.repeat(${Math.max(...config.sizes)}); 0`);
    for (const bytes of config.sizes) {
      const count = callsAtSize(config, bytes);
      const text = 'x'.repeat(bytes);
      const resultSizes = sizes(await frames.record(() => client.eval(`big.slice(0, ${bytes})`)), /"eval"/, /"result"/);
      const result = await paired(
        async () => mb(bytes, await timeSequential(() => client.eval(`big.slice(0, ${bytes})`), count)),
        async () => mb(bytes, await timeSequential(() => raw.call(resultSizes.out, resultSizes.in), count)),
        counts,
      );
      // Below 16 KiB fixed per-message costs dominate; from there a value should be converted no more often than the wire needs.
      const goal = bytes >= 16 * 1024 ? goalAtLeast(result.ratio, 0.8) : undefined;
      results.push({
        id: `size.eval-result.${bytes}`,
        group: 'size',
        title: `eval result of ${label(bytes)}, ws, 2 processes`,
        subject: { name: 'scomp eval', unit: 'MB/s', summary: result.subject, perRun: count },
        baseline: { name: 'raw ws echo', unit: 'MB/s', summary: result.baseline, perRun: count },
        ratio: result.ratio,
        ...(goal ? { goal, bound: resultFloor(bytes, result.baseline.median, Math.max(0, evalRtt.subject.median - evalRtt.baseline.median)) } : {}),
      });
      const argSizes = sizes(await frames.record(() => client.invoke('size', { s: text })), /"invoke"/, /"result"/);
      const args = await paired(
        async () => mb(bytes, await timeSequential(() => client.invoke('size', { s: text }), count)),
        async () => mb(bytes, await timeSequential(() => raw.call(argSizes.out, argSizes.in), count)),
        counts,
      );
      results.push({
        id: `size.invoke-args.${bytes}`,
        group: 'size',
        title: `invoke args of ${label(bytes)}, ws, 2 processes`,
        subject: { name: 'scomp invoke', unit: 'MB/s', summary: args.subject, perRun: count },
        baseline: { name: 'raw ws echo', unit: 'MB/s', summary: args.baseline, perRun: count },
        ratio: args.ratio,
      });
    }
  } finally {
    client.close();
    raw.close();
  }
  return results;
}
