import type { Interface } from 'node:readline';

/**
 * The lines of one readline interface, taken one at a time by whoever asks next: the REPL for its
 * code, a `confirm` question for its answer. A question asked while an eval runs therefore gets
 * the line typed (or piped) after the code, never a line meant as code.
 */
export class LineQueue {
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private ended = false;

  constructor(readonly rl: Interface) {
    rl.on('line', (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    rl.on('close', () => {
      this.ended = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
  }

  /** The next line; undefined once the input has ended. */
  next(): Promise<string | undefined> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/**
 * Where `confirm` reads its answers: the REPL's own lines while a REPL runs (it hands over its
 * queue), otherwise standard input, opened on the first question.
 */
export class AnswerSource {
  private queue: LineQueue | undefined;
  private own: Interface | undefined;

  constructor(private readonly open: () => Interface) {}

  /** Answers come from `queue` from now on (the REPL's lines). */
  use(queue: LineQueue): void {
    this.queue = queue;
  }

  read(): Promise<string | undefined> {
    if (!this.queue) {
      this.own = this.open();
      this.queue = new LineQueue(this.own);
    }
    return this.queue.next();
  }

  /** Closes standard input's reader if a question opened one. */
  close(): void {
    this.own?.close();
  }
}
