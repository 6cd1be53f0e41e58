import { inspect } from 'node:util';
import { defineBinding, type Binding } from '@scomp/peer';
import { CONFIRM_BINDING_NAME, ConfirmParams, STANDARD_CLIENT_BINDINGS } from '@scomp/protocol';

/**
 * How `scomp` answers `confirm`: `ask` prints the question and reads a y/N line, `yes` allows every
 * call, `no` declares no `confirm` binding at all, so components refuse the calls they gate.
 */
export type ConfirmPolicy = 'ask' | 'yes' | 'no';

export const CONFIRM_POLICIES: readonly ConfirmPolicy[] = ['ask', 'yes', 'no'];

/** `ask` on a terminal; without one nobody can answer, so the default refuses. */
export function defaultConfirmPolicy(stdin: { isTTY?: boolean }): ConfirmPolicy {
  return stdin.isTTY === true ? 'ask' : 'no';
}

export interface ConfirmOptions {
  policy: Exclude<ConfirmPolicy, 'no'>;
  /** Where the question and the decision are printed (stderr, beside log entries). */
  write(text: string): void;
  /** Reads the answer line; undefined when the input ended. Used with `ask`. */
  readAnswer(): Promise<string | undefined>;
}

/** The standard `confirm` client binding, answered on the terminal (or by policy). */
export function confirmBinding(options: ConfirmOptions): Binding {
  const meta = STANDARD_CLIENT_BINDINGS[CONFIRM_BINDING_NAME];
  // One question at a time: answers are lines of one input, taken in the order they were asked.
  let previous: Promise<unknown> = Promise.resolve();
  return defineBinding({
    name: CONFIRM_BINDING_NAME,
    description: meta.description,
    input: ConfirmParams,
    effects: ['external'],
    handler: ({ message, args }) => {
      const detail = args === undefined ? '' : `\n  args: ${inspect(args, { depth: 4, breakLength: Infinity })}`;
      if (options.policy === 'yes') {
        options.write(`[confirm] ${message}${detail}\n  allowed (--yes)\n`);
        return true;
      }
      const answer = previous.then(async () => {
        options.write(`[confirm] ${message}${detail}\n  allow? [y/N] `);
        const line = await options.readAnswer();
        const allowed = line !== undefined && /^\s*y(es)?\s*$/i.test(line);
        options.write(line === undefined ? '\n  refused (end of input)\n' : allowed ? '  allowed\n' : '  refused\n');
        return allowed;
      });
      previous = answer.catch(() => {});
      return answer;
    },
  });
}
