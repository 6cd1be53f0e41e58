/** Timing helpers: several runs after warm-up, medians and paired ratios rather than single figures. */

export interface Summary {
  min: number;
  median: number;
  max: number;
  runs: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0] ?? NaN, median, max: sorted[sorted.length - 1] ?? NaN, runs: sorted.length };
}

export function median(samples: readonly number[]): number {
  return summarize(samples).median;
}

export type Op = () => Promise<unknown>;

/** Microseconds per call of `op`, called `iterations` times one after another. */
export async function timeSequential(op: Op, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await op();
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

/** Calls per second with `window` calls in flight until `total` have completed. */
export async function timePipelined(op: Op, total: number, window: number): Promise<number> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++;
      await op();
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(window, total) }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return total / seconds;
}

export interface Counts {
  warmupRuns: number;
  runs: number;
}

export interface Paired {
  subject: Summary;
  baseline: Summary;
  /** Median of the per-run ratios subject/baseline: each run's pair saw the same machine load. */
  ratio: number;
}

/**
 * Measures `subject` and `baseline` in alternating runs (order flipped every run) so that load
 * changes on the machine hit both alike. Each sampler returns one run's figure.
 */
export async function paired(subject: () => Promise<number>, baseline: () => Promise<number>, counts: Counts): Promise<Paired> {
  for (let i = 0; i < counts.warmupRuns; i++) {
    await subject();
    await baseline();
  }
  const s: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < counts.runs; i++) {
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = await subject();
      y = await baseline();
    } else {
      y = await baseline();
      x = await subject();
    }
    s.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return { subject: summarize(s), baseline: summarize(b), ratio: median(ratios) };
}

/** Several runs of one sampler after warm-up. */
export async function repeated(sample: () => Promise<number>, counts: Counts): Promise<Summary> {
  for (let i = 0; i < counts.warmupRuns; i++) await sample();
  const samples: number[] = [];
  for (let i = 0; i < counts.runs; i++) samples.push(await sample());
  return summarize(samples);
}
