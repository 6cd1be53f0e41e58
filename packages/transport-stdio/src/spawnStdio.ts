import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Transport, TransportCloseInfo, TransportHandler } from '@scomp/peer';
import { ChildProcessExitError } from './errors.js';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
import { groupsSupported, markGroupLeader, reapTree, signalTree, trackTree } from './processGroup.js';
import { StreamTransport } from './streamTransport.js';

/** Shaped like an MCP stdio server entry: `{ command, args, env, cwd }`, plus transport limits. */
export interface SpawnStdioOptions {
  command: string;
  args?: readonly string[];
  /** Variables added to (and overriding) the parent's environment. @default {} */
  env?: Record<string, string>;
  /** Working directory of the server process. @default the parent's */
  cwd?: string;
  /** The server's stderr: shown with the parent's, captured (`transport.stderr`), or discarded. @default 'inherit' */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /** Largest message accepted from the server; larger closes the transport with a `MessageTooLargeError`. @default 16 MiB */
  maxMessageBytes?: number;
  /** Unsent input held for a server that does not read before the transport closes. @default 64 MiB */
  maxBufferedBytes?: number;
  /** How long each shutdown step (close stdin, SIGTERM) waits before the next (SIGTERM, SIGKILL). @default 2000 */
  shutdownTimeoutMs?: number;
  /** How much of the end of a piped stderr is kept for `stderrText()` and exit errors. @default 65536 */
  maxStderrBytes?: number;
  /**
   * Start the server in a process group (and session) of its own, so closing ends everything it
   * started. `false` keeps it in this process's session, as MCP clients start servers: signals then
   * reach the server alone, but on Linux each round trip skips a hop between scheduling groups
   * (autogroups), which costs a busy machine up to 3x the latency. No effect on Windows.
   * @default true
   */
  processGroup?: boolean;
}

/** How the server process ended. */
export interface ChildExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** A transport to a server running as a child process. */
export interface StdioChildTransport extends Transport {
  readonly pid: number;
  /** The server's stderr stream, with `stderr: 'pipe'`; otherwise null. */
  readonly stderr: Readable | null;
  /** The captured end of the server's stderr (with `stderr: 'pipe'`). */
  stderrText(): string;
  /** Settles once the server has exited and the rest of its process group has been stopped. */
  readonly exited: Promise<ChildExit>;
  /** Closes the transport and waits for {@link exited}. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the server as a child in its own process group and connects to it over its stdin/stdout
 * (newline-delimited JSON). Closing the transport ends the server and everything it started:
 * stdin is closed, then the group gets SIGTERM, then SIGKILL. If the server exits on its own with
 * a failure, the transport closes with a {@link ChildProcessExitError}.
 */
export function spawnStdioTransport(options: SpawnStdioOptions): Promise<StdioChildTransport> {
  const group = groupsSupported && (options.processGroup ?? true);
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', options.stderr ?? 'inherit'],
    detached: group,
    windowsHide: true,
  });
  if (group) markGroupLeader(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      resolve(new ChildTransport(child, options));
    });
  });
}

class ChildTransport implements StdioChildTransport {
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  private readonly inner: StreamTransport;
  private readonly graceMs: number;
  private exit: ChildExit | undefined;
  private outputDone = false;
  private stopping = false;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private stderrTail = Buffer.alloc(0);

  constructor(
    private readonly child: ChildProcess,
    options: SpawnStdioOptions,
  ) {
    this.pid = child.pid!;
    trackTree(child);
    this.graceMs = options.shutdownTimeoutMs ?? 2000;
    child.on('error', () => {}); // kill failures surface as a missing exit, handled by escalation
    const maxStderr = options.maxStderrBytes ?? 65536;
    child.stderr?.on('data', (chunk: Buffer) => {
      const joined = Buffer.concat([this.stderrTail, chunk]);
      this.stderrTail = joined.length > maxStderr ? joined.subarray(joined.length - maxStderr) : joined;
    });
    this.inner = new StreamTransport(child.stdout!, child.stdin!, {
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      // The server's stdout ending means it is done talking. A failed write to its stdin usually
      // means it died; its exit status then tells why.
      onEnded: (side) => {
        if (side === 'input') this.outputDone = true;
        this.stop();
        this.settle();
      },
      onClosed: () => this.stop(),
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (exitCode, signal) => {
        this.exit = { exitCode, signal };
        this.clearTimers();
        // A descendant may still hold stdout open; do not wait for it forever.
        if (!this.outputDone) {
          this.later(() => {
            this.child.stdout?.destroy();
            this.outputDone = true;
            this.settle();
          });
        }
        this.settle();
        void reapTree(child, this.graceMs).then(() => resolve({ exitCode, signal }));
      });
    });
  }

  get stderr(): Readable | null {
    return this.child.stderr;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  get ended(): Promise<TransportCloseInfo> {
    return this.inner.ended;
  }

  stderrText(): string {
    return this.stderrTail.toString('utf8');
  }

  start(handler: TransportHandler): void {
    this.inner.start(handler);
  }

  send(message: string): void {
    this.inner.send(message);
  }

  close(info?: TransportCloseInfo): void {
    this.inner.close(info);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.exited;
  }

  /** Once the server has exited and its output is drained, closes with how it ended. */
  private settle(): void {
    if (!this.exit || !this.outputDone) return;
    this.clearTimers();
    if (this.inner.closed) return;
    const { exitCode, signal } = this.exit;
    if (exitCode === 0) {
      this.inner.finish({ reason: 'server process exited' });
    } else {
      const error = new ChildProcessExitError(exitCode, signal, this.stderrText());
      this.inner.finish({ reason: error.message, error });
    }
  }

  /** Asks the server to stop by closing its stdin, then escalates to SIGTERM and SIGKILL for the group. */
  private stop(): void {
    if (this.stopping || this.exit) return;
    this.stopping = true;
    this.child.stdin?.end();
    this.later(() => {
      signalTree(this.child, 'SIGTERM');
      this.later(() => signalTree(this.child, 'SIGKILL'));
    });
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private later(action: () => void): void {
    this.timers.push(setTimeout(action, this.graceMs));
  }
}
