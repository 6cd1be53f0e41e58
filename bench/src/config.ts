import type { Counts } from './stats.js';

export interface Config {
  smoke: boolean;
  counts: Counts;
  /** Sequential round trips in one run. */
  roundTrips: number;
  /** Calls in one pipelined run, and how many are in flight at once. */
  pipelineTotal: number;
  pipelineWindow: number;
  /** Binding calls composed by one eval. */
  callsPerEval: number;
  /** Payload sizes for the scaling benchmark, in bytes. */
  sizes: number[];
  /** Bytes moved per run at each size (fewer calls for larger payloads). */
  bytesPerRun: number;
  sessions: { create: number; idle: number; cycles: number };
  /** Repetitions of the 20-call agent task in one run. */
  agentTasks: number;
  /** Sessions evaluating at once on 1 and on 2 threads, evals each per run, and steps of each eval's loop. */
  threads: { sessions: number; evalsPerSession: number; loop: number };
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const FULL: Config = {
  smoke: false,
  counts: { warmupRuns: 2, runs: 9 },
  roundTrips: 1500,
  pipelineTotal: 10_000,
  pipelineWindow: 64,
  callsPerEval: 2000,
  sizes: [KiB, 16 * KiB, 256 * KiB, MiB, 16 * MiB],
  bytesPerRun: 32 * MiB,
  sessions: { create: 200, idle: 1000, cycles: 10_000 },
  agentTasks: 30,
  threads: { sessions: 64, evalsPerSession: 4, loop: 50_000 },
};

export const SMOKE: Config = {
  smoke: true,
  counts: { warmupRuns: 0, runs: 2 },
  roundTrips: 5,
  pipelineTotal: 40,
  pipelineWindow: 8,
  callsPerEval: 5,
  sizes: [KiB, 16 * KiB],
  bytesPerRun: 64 * KiB,
  sessions: { create: 3, idle: 5, cycles: 20 },
  agentTasks: 1,
  threads: { sessions: 64, evalsPerSession: 1, loop: 1000 },
};

export function callsAtSize(config: Config, bytes: number): number {
  return Math.max(config.smoke ? 1 : 3, Math.min(500, Math.floor(config.bytesPerRun / bytes)));
}
