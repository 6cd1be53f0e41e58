import { AbortedError, ScompError, type Client } from '@scomp/peer';
import { describe } from './session.js';
import { Store } from './store.js';

export interface ConsoleLine {
  readonly level: string;
  readonly args: readonly unknown[];
}

export interface ErrorView {
  readonly name: string;
  readonly message: string;
  /** Line of the submitted code the error points at, from the eval's stack. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The JSON-RPC error code, or the name of a local error. */
  readonly code: number | string | undefined;
  readonly data: unknown;
}

export interface Cell {
  readonly id: number;
  /** eval: code the user ran; call: a function reference or binding called from the page; output: console output no eval was running for. */
  readonly kind: 'eval' | 'call' | 'output';
  readonly code: string;
  status: 'running' | 'ok' | 'error' | 'cancelled';
  lines: ConsoleLine[];
  value?: unknown;
  error?: ErrorView;
  durationMs?: number;
  abort?: AbortController;
}

/** The console pane's transcript: each eval with its console output, in order, and its outcome. */
export class ConsoleLog extends Store {
  cells: Cell[] = [];
  private nextId = 1;

  /** Evaluates `code` in the session; the cell shows its output, then its value or error. */
  async run(client: Client, code: string): Promise<void> {
    const abort = new AbortController();
    const cell = this.add({ kind: 'eval', code, abort });
    await this.settle(cell, () => client.eval(code, { signal: abort.signal }));
  }

  /** Calls a function reference or binding from the page, showing the call as its own cell. */
  async call(label: string, call: () => Promise<unknown>): Promise<void> {
    const cell = this.add({ kind: 'call', code: label });
    await this.settle(cell, call);
  }

  cancel(cell: Cell): void {
    cell.abort?.abort(new AbortedError('cancelled from the playground'));
  }

  /** Guest console output: part of the eval that is running, or a cell of its own between evals. */
  print(line: ConsoleLine): void {
    const running = this.cells.find((cell) => cell.kind === 'eval' && cell.status === 'running');
    let target = running;
    if (!target) {
      const last = this.cells[this.cells.length - 1];
      target = last?.kind === 'output' ? last : this.add({ kind: 'output', code: '' });
      target.status = 'ok';
    }
    target.lines = [...target.lines, line];
    this.changed();
  }

  clear(): void {
    this.cells = this.cells.filter((cell) => cell.status === 'running');
    this.changed();
  }

  private add(init: { kind: Cell['kind']; code: string; abort?: AbortController }): Cell {
    const cell: Cell = { id: this.nextId++, status: 'running', lines: [], ...init };
    this.cells = [...this.cells, cell];
    this.changed();
    return cell;
  }

  private async settle(cell: Cell, run: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    try {
      cell.value = await run();
      cell.status = 'ok';
    } catch (error) {
      cell.error = errorView(error);
      cell.status = error instanceof AbortedError || cell.abort?.signal.aborted ? 'cancelled' : 'error';
    }
    cell.durationMs = Math.round(performance.now() - started);
    delete cell.abort;
    this.cells = [...this.cells];
    this.changed();
  }
}

/** The innermost frame's position, `(<eval>:2:5)`: lines of the submitted code (spec §6.4). */
const STACK_POSITION = /:(\d+):(\d+)\)?\s*$/m;

/** What the page shows of a failure: name, message and, for an eval, the line it failed on. */
export function errorView(error: unknown): ErrorView {
  if (error instanceof ScompError) {
    const data = (typeof error.data === 'object' && error.data !== null ? error.data : {}) as {
      name?: unknown;
      message?: unknown;
      stack?: unknown;
    };
    const position = typeof data.stack === 'string' ? STACK_POSITION.exec(data.stack) : null;
    return {
      name: typeof data.name === 'string' ? data.name : (error.codeName ?? error.name),
      message: typeof data.message === 'string' ? data.message : error.message,
      line: position ? Number(position[1]) : undefined,
      column: position ? Number(position[2]) : undefined,
      code: error.code,
      data: error.data,
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: describe(error),
    line: undefined,
    column: undefined,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    data: undefined,
  };
}
