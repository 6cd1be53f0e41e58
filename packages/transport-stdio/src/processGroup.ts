import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const groupsSupported = process.platform !== 'win32';

/** Children that lead a process group of their own (spawned detached). */
const leaders = new WeakSet<ChildProcess>();

/** Records that `child` was spawned detached, so its pid is its process group's id. */
export function markGroupLeader(child: ChildProcess): void {
  leaders.add(child);
}

/**
 * Signals the child's whole process group when it leads one, reaching grandchildren too; else the
 * child alone. Returns false when nothing was left to signal.
 */
export function signalTree(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (child.pid === undefined) return false;
  try {
    if (leaders.has(child)) process.kill(-child.pid, signal);
    else if (signal === 0) return child.exitCode === null && child.signalCode === null;
    else child.kill(signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * After the child itself exited: asks what is left of its group to stop (SIGTERM), then forces it
 * (SIGKILL) once `graceMs` has passed.
 */
export async function reapTree(child: ChildProcess, graceMs: number): Promise<void> {
  if (!leaders.has(child) || !signalTree(child, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(20, graceMs)));
    if (!groupRunning(child.pid!)) return;
  }
  signalTree(child, 'SIGKILL');
}

/** The fields of `/proc/<pid>/stat` after the command name: state, ppid, pgrp, … (Linux only). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; the fields after the last ')' do not.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Whether the process still runs. A zombie does not: an orphan that ended but that the system's
 * init has not reaped (some container inits never do) holds nothing but its pid.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  const fields = statFields(pid);
  return fields !== undefined && fields[0] !== 'Z';
}

/** Whether any process of group `pgid` still runs, zombies not counted (see {@link processRunning}). */
export function groupRunning(pgid: number): boolean {
  if (!groupsSupported) return false;
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(name);
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Keeps the child's group from outliving this process: if this process exits without closing the
 * transport, the group still gets SIGTERM (an exit hook cannot wait, so no escalation).
 */
export function trackTree(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const tracked of live) signalTree(tracked, 'SIGTERM');
  });
}
