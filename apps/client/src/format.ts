import { inspect } from 'node:util';
import { EvalError, LimitExceededError, LocalError, ScompError } from '@scomp/peer';

/** A value for people: strings as they are (top level only), everything else as `util.inspect` shows it. */
export function formatValue(value: unknown, options: { colors?: boolean; rawStrings?: boolean } = {}): string {
  if (options.rawStrings && typeof value === 'string') return value;
  return inspect(value, { depth: null, colors: options.colors ?? false, breakLength: 100 });
}

/** An error for people: what evaluated code threw with its stack, or the error's kind and message. */
export function formatError(error: unknown): string {
  if (error instanceof EvalError) {
    const { name, message, stack } = error.detail ?? {};
    const head = `Uncaught ${name ?? 'Error'}: ${message ?? error.message}`;
    return stack ? `${head}\n${stack.replace(/\s+$/, '')}` : head;
  }
  if (error instanceof LimitExceededError) {
    const detail = error.detail ?? {};
    const reset = detail.sessionReset ? ' (the session was reset)' : '';
    return `LimitExceeded (${detail.limit ?? 'limit'}): ${error.message}${reset}`;
  }
  if (error instanceof ScompError) return `${error.codeName ?? `error ${error.code}`}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The `{code, message, data}` of an error, as `--json` prints it. Local errors carry string codes. */
export function errorJson(error: unknown): { code: number | string; message: string; data?: unknown } {
  if (error instanceof ScompError) return error.toErrorObject();
  if (error instanceof LocalError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'ERROR', message: error.message };
  return { code: 'ERROR', message: String(error) };
}

/** JSON text of a value; function values (which JSON cannot carry) appear as "[Function]". */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'function' ? '[Function]' : item));
}
