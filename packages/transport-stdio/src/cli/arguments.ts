import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usageError.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Parsed<TOptions extends OptionsConfig, TPositionals extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: TOptions; strict: true; allowPositionals: TPositionals }>
>;

/**
 * `argv` (without node and script) parsed strictly by `util.parseArgs` against `options`; what it
 * refuses (an unknown option, a missing value, a positional where none is allowed) is thrown as a
 * {@link UsageError}.
 */
export function parseCommandLine<const TOptions extends OptionsConfig, const TPositionals extends boolean = false>(
  argv: readonly string[],
  options: TOptions,
  allowPositionals?: TPositionals,
): Parsed<TOptions, TPositionals> {
  try {
    // The result's type follows the config's; TypeScript cannot follow it through the generic default.
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: allowPositionals ?? false }) as Parsed<TOptions, TPositionals>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The whole decimal number in `text` (`fallback` when the option was not given), from `min` up to
 * `max`. Anything else (a sign, a fraction, a unit) is a {@link UsageError} naming the option.
 */
export function integerOption(flag: string, text: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
