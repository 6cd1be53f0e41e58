import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainEntry } from '@scomp/proxy/node';
import { serverBin, tsNodeArgs } from './processes.js';

const e2eRoot = fileURLToPath(new URL('../..', import.meta.url));
export const proxyBin = new URL('../../../packages/proxy/src/node/bin.ts', import.meta.url);
export const clientBin = new URL('../../../apps/client/src/bin.ts', import.meta.url);

/** A chain entry running a workspace entry point from source. */
function entry(bin: URL, ...args: string[]): ChainEntry {
  return { command: process.execPath, args: tsNodeArgs(bin, ...args), cwd: e2eRoot };
}

export const component = (...args: string[]) => entry(proxyBin, ...args);
export const stdioServer = (...args: string[]) => entry(serverBin, '--stdio', ...args);

/** audit → approval → scope (everything) → scomp-server, as chain entries. */
export function threeComponentChain(): ChainEntry[] {
  return [component('audit'), component('approval', '--effects', 'external'), component('scope', '--server-bindings', '*'), stdioServer()];
}

/** Every live descendant of `pid`, found through /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name may contain spaces and parentheses; the fields after the last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const visit = (id: number) => {
    for (const child of children.get(id) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** A process's pid, state and command line, so that a test naming a survivor says what it is. */
export function processLine(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return `${pid} ${state} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`;
  } catch {
    return `${pid} gone`;
  }
}

/** The built `scomp-proxy` and `scomp-server` (run `pnpm build` first): cases that start a chain per connection need their start-up time. */
export const builtProxyBin = fileURLToPath(new URL('../../../packages/proxy/bin/scomp-proxy.js', import.meta.url));
export { serverBinPath as builtServerBin } from '@scomp/app-server/testing';
export const builtClientBin = fileURLToPath(new URL('../../../apps/client/dist/bin.js', import.meta.url));

/** A chain file of built entry points in a temporary directory, which disposing removes. */
export interface BuiltChainFile extends Disposable {
  dir: string;
  path: string;
  /** The arguments that make `scomp` start the chain's head over stdio. */
  stdio: string[];
}

/**
 * Writes a chain file whose entries each run `node <args>` (a built bin and its arguments), in a
 * fresh temporary directory that `entries` may place files in.
 */
export function writeBuiltChain(prefix: string, entries: (dir: string) => string[][]): BuiltChainFile {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'chain.json');
  const node = process.execPath;
  writeFileSync(path, JSON.stringify({ chain: entries(dir).map((args) => ({ command: node, args })) }));
  return {
    dir,
    path,
    stdio: ['--stdio', `"${node}" "${builtProxyBin}" --chain "${path}"`],
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
