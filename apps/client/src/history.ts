import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the REPL keeps its history: $SCOMP_HISTORY, or ~/.scomp_history. An empty $SCOMP_HISTORY disables it. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SCOMP_HISTORY !== undefined) return env.SCOMP_HISTORY === '' ? undefined : env.SCOMP_HISTORY;
  return join(homedir(), '.scomp_history');
}

/** Newest first, as readline wants it. A missing or unreadable file is an empty history. */
export function readHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').reverse();
  } catch {
    return [];
  }
}

export function writeHistory(file: string, history: readonly string[]): void {
  try {
    writeFileSync(file, `${[...history].reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience; failing to keep it must not break the session.
  }
}
