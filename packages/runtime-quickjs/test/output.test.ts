import { EvalError } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { MAX_GUEST_TEXT, cutText } from '../src/cutText.js';
import { binding, withSession } from './support.js';

async function evalErrorOf(promise: Promise<unknown>): Promise<EvalError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected an EvalError, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvalError);
  return error as EvalError;
}

describe('output limits', () => {
  it('cuts text past its bound with a marker that says how much was left out, never splitting a surrogate pair', () => {
    expect(cutText('abc', 3)).toBe('abc');
    expect(cutText('abcdef', 3)).toBe('abc… [3 more characters cut]');
    expect(cutText('a😀b', 2)).toBe('a… [3 more characters cut]');
  });

  it('cuts a huge thrown message, name and stack, keeping the session and its state', () =>
    withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      await runtime.eval('const kept = "state"');
      const error = await evalErrorOf(runtime.eval('throw new Error("E".repeat(2e6))'));
      const data = error.data as { name: string; message: string; stack?: string };
      expect(data.message).toBe(`${'E'.repeat(MAX_GUEST_TEXT)}… [${2e6 - MAX_GUEST_TEXT} more characters cut]`);
      expect(error.message.length).toBeLessThan(MAX_GUEST_TEXT + 100);
      const named = await evalErrorOf(runtime.eval('const e = new Error("m"); e.name = "N".repeat(1e6); e.stack = "S".repeat(1e6); throw e'));
      const namedData = named.data as { name: string; stack?: string };
      expect(namedData.name.length).toBeLessThan(300);
      expect(namedData.stack?.length ?? 0).toBeLessThan(MAX_GUEST_TEXT + 100);
      const thrown = await evalErrorOf(runtime.eval('throw { big: "x".repeat(1e6) }'));
      expect((thrown.data as { message: string }).message).toMatch(/more characters cut\]$/);
      expect(await runtime.eval('kept')).toBe('state');
    }));

  it('sends a huge console line as one string cut with a marker, and short lines unchanged', () => {
    const lines: unknown[] = [];
    return withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      runtime.setClientBindings([binding('console', (args) => lines.push(args))]);
      await runtime.eval('console.log("L".repeat(1e6), { n: 1 }); console.warn("short", { n: 1 }); 0');
      expect(lines).toHaveLength(2);
      const [long, short] = lines as { level: string; args: unknown[] }[];
      expect(long!.level).toBe('log');
      const [text] = long!.args as string[];
      expect(text!.startsWith('L'.repeat(MAX_GUEST_TEXT))).toBe(true);
      const [, cut] = /^L+… \[(\d+) more characters cut\]$/.exec(text!) ?? [];
      expect(Number(cut) + MAX_GUEST_TEXT).toBeGreaterThan(1e6);
      expect(short).toEqual({ level: 'warn', args: ['short', { n: 1 }] });
    });
  });
});
