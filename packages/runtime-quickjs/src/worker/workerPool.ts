import { CancelledError, InternalError, type BindingOrigin } from '@scomp/peer/authoring';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InlineOptions, InstanceStats } from '../inlineSessions.js';
import type { BindingSketch } from './operations.js';
import { SharedState } from './sharedState.js';
import { WorkerLink } from './workerLink.js';

const WORKER_STACK_MB = 8;

/** What a worker thread starts with. */
export interface WorkerData {
  shared: SharedArrayBuffer;
  /** Module specifier of the QuickJS build, imported inside the worker. */
  variant: string;
  options: Omit<InlineOptions, 'variant' | 'clock'>;
  /** Binding modules sessions used before the thread started: it imports them as it boots. */
  preload: BindingOrigin[];
}

export interface WorkerPoolOptions {
  /** Threads sessions are spread over before any thread takes a second session's neighbour. */
  workerThreads: number;
  sessionsPerWorker: number;
  watchdogGraceMs: number;
  variant: string;
  inline: Omit<InlineOptions, 'variant' | 'clock'>;
}

/**
 * Places sessions on worker threads. Up to `workerThreads` threads, each new session gets a thread
 * of its own, with an empty spare thread started ahead so it seldom waits for one to boot; past
 * that, it goes to the thread with the fewest sessions (then one not running guest code now, then
 * one that has booted). Code that keeps its thread busy thus delays only the sessions it shares a
 * thread with. Only when every thread holds `sessionsPerWorker` sessions are more threads started.
 * Threads up to `workerThreads` stay once started; one past that stops when its last session
 * leaves, unless it is the one empty spare the remaining room calls for.
 */
export class WorkerPool {
  private readonly links = new Set<WorkerLink>();
  private nextSession = 1;
  private started = 0;
  private closed = false;
  /** The binding modules sessions have used, by origin (see preload). */
  private readonly origins = new Map<string, BindingOrigin>();

  constructor(private readonly options: WorkerPoolOptions) {}

  /**
   * A place for one more session: a link to its thread and a slot there. Once less than half a
   * thread's room is left, a spare thread starts, so sessions seldom wait for one to boot.
   */
  place(): { link: WorkerLink; session: number; slot: number } {
    if (this.closed) throw new CancelledError('runtime factory closed');
    const link = this.emptyLink() ?? (this.links.size < this.options.workerThreads ? this.start() : this.leastLoaded()) ?? this.start();
    const slot = link.reserveSlot();
    const spareWanted = this.links.size < this.options.workerThreads || this.room() < this.options.sessionsPerWorker / 2;
    if (spareWanted && !this.emptyLink()) this.start();
    return { link, session: this.nextSession++, slot };
  }

  /**
   * Remembers the binding modules of a session being placed, so threads started from now on import
   * them as they boot: a session placed on a new thread (each of the first `workerThreads` is) then
   * does not wait for the import on its first eval. Threads already running import on first use.
   */
  preload(sketches: readonly BindingSketch[]): void {
    for (const { origin } of sketches) if (origin) this.origins.set(`${origin.export} ${origin.url}`, origin);
  }

  /**
   * Called when a link lost its last session. Threads up to `workerThreads` stay: starting one costs
   * far more than a session, so a create/dispose loop must not stop and start a thread each time.
   * Past that, it stops unless it is the spare that the remaining room calls for.
   */
  emptied(link: WorkerLink): void {
    if (!link.isEmpty() || !this.links.has(link)) return;
    if (this.links.size <= this.options.workerThreads) return;
    const otherEmpty = [...this.links].some((other) => other !== link && other.hasRoom() && other.isEmpty());
    if (!otherEmpty && this.room() - link.room() < this.options.sessionsPerWorker / 2) return;
    this.links.delete(link);
    void link.stop(new CancelledError('worker retired'));
  }

  /** Sessions per thread, in the order the threads started (for placement tests and stats). */
  placement(): number[] {
    return [...this.links].map((link) => link.load());
  }

  stats(): InstanceStats & { workers: number; workersStarted: number } {
    const total = { workers: this.links.size, workersStarted: this.started, modules: 0, brokenModules: 0, sessions: 0, spareVms: 0, memoryBytes: 0 };
    for (const link of this.links) {
      const snapshot = link.instances;
      total.modules += snapshot.modules;
      total.brokenModules += snapshot.brokenModules;
      total.spareVms += snapshot.spareVms;
      total.memoryBytes += snapshot.memoryBytes;
      total.sessions += link.sessionCount();
    }
    return total;
  }

  async close(): Promise<void> {
    this.closed = true;
    const links = [...this.links];
    this.links.clear();
    await Promise.all(links.map((link) => link.stop(new CancelledError('runtime factory closed'))));
  }

  /** A thread with room and no session, preferring one that has booted. */
  private emptyLink(): WorkerLink | undefined {
    let found: WorkerLink | undefined;
    for (const link of this.links) {
      if (!link.hasRoom() || !link.isEmpty()) continue;
      if (link.booted) return link;
      found ??= link;
    }
    return found;
  }

  /** The thread with room that has the fewest sessions; ties go to one idle now, then one booted. */
  private leastLoaded(): WorkerLink | undefined {
    let best: WorkerLink | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const link of this.links) {
      if (!link.hasRoom()) continue;
      const rank = link.load() * 4 + (link.busy() ? 2 : 0) + (link.booted ? 0 : 1);
      if (rank < bestRank) {
        best = link;
        bestRank = rank;
      }
    }
    return best;
  }

  /** Free slots over all threads. */
  private room(): number {
    let free = 0;
    for (const link of this.links) free += link.room();
    return free;
  }

  private start(): WorkerLink {
    const shared = SharedState.create(this.options.sessionsPerWorker);
    this.started++;
    const link: WorkerLink = new WorkerLink(this.spawn(shared), shared, this.options, () => this.links.delete(link));
    this.links.add(link);
    return link;
  }

  private spawn(shared: SharedState): Worker {
    const data: WorkerData = { shared: shared.buffer, variant: this.options.variant, options: this.options.inline, preload: [...this.origins.values()] };
    return new Worker(entryFile(), {
      workerData: data,
      // The worker runs plain built JavaScript: the parent's loaders and resolution flags do not apply,
      // and process-wide flags (--expose-gc) are refused in workers.
      execArgv: [],
      // Built-ins that recurse in C (JSON.stringify/parse of nested data, parsing nested source)
      // use several times their interpreter stack of the thread's own stack. With this much, the
      // interpreter's stackBytes limit (192 KiB by default) always trips first, so the thread's
      // stack never runs out mid-operation (which would cost the session its state).
      resourceLimits: { stackSizeMb: WORKER_STACK_MB },
    });
  }
}

/** The built worker entry; sources run in tests use the package's build output. */
function entryFile(): URL {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../dist/worker/entry.js', here) : new URL('./entry.js', here);
  if (!existsSync(fileURLToPath(url))) {
    throw new InternalError(`worker entry ${fileURLToPath(url)} is missing: build @scomp/runtime-quickjs first`);
  }
  return url;
}
