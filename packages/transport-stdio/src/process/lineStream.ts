/** What a line must contain (string), match (RegExp), or satisfy (function). */
export type LineMatcher = string | RegExp | ((line: string) => boolean);

interface Waiter {
  match: (line: string) => boolean;
  resolve(line: string): void;
  reject(error: Error): void;
}

/**
 * The text of one output stream, split into lines as it arrives, with waiters for the next line
 * that matches. Each line is handed to one waiter at most, in order: a cursor marks the last line
 * returned, so a line printed before anyone waited for it is still found.
 */
export class LineStream {
  text = '';
  readonly lines: string[] = [];
  private cursor = 0;
  private waiters: Waiter[] = [];
  private partial = '';

  push(chunk: string): void {
    this.text += chunk;
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) this.lines.push(line.replace(/\r$/, ''));
    this.serve();
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.partial !== '') this.lines.push(this.partial);
    this.partial = '';
    this.serve();
  }

  wait(match: LineMatcher): { line: Promise<string>; cancel(error: Error): void } {
    let waiter!: Waiter;
    const line = new Promise<string>((resolve, reject) => (waiter = { match: matcher(match), resolve, reject }));
    this.waiters.push(waiter);
    this.serve();
    return {
      line,
      cancel: (error) => {
        const index = this.waiters.indexOf(waiter);
        if (index === -1) return;
        this.waiters.splice(index, 1);
        waiter.reject(error);
      },
    };
  }

  /** Rejects every waiter still waiting, with the error `why` makes for it. */
  failAll(why: () => Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(why());
  }

  private serve(): void {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!;
      const index = this.lines.findIndex((line, i) => i >= this.cursor && waiter.match(line));
      if (index === -1) return;
      this.cursor = index + 1;
      this.waiters.shift();
      waiter.resolve(this.lines[index]!);
    }
  }
}

function matcher(match: LineMatcher): (line: string) => boolean {
  if (typeof match === 'string') return (line) => line.includes(match);
  if (match instanceof RegExp) return (line) => match.test(line);
  return match;
}
