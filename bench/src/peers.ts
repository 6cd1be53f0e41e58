import type { Config } from './config.js';
import type { Result } from './report.js';

export async function peerBenchmarks(_config: Config): Promise<Result[]> {
  return [];
}
