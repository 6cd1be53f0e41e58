import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { rawPeer } from './rawPeer.js';

export type Side = 'client' | 'server';

/** A wire example of spec/PROTOCOL.md, as stored in spec/examples. */
export interface WireExample {
  title: string;
  messages: { from: Side; message: unknown }[];
}

const examplesDir = new URL('../../../../spec/examples/', import.meta.url);

export function exampleNames(): string[] {
  return readdirSync(examplesDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

export function loadExample(name: string): WireExample {
  return JSON.parse(readFileSync(new URL(`${name}.json`, examplesDir), 'utf8')) as WireExample;
}

/** Ids the spec leaves to the issuer: session ids and function-reference ids. */
const RANDOM_ID = /^(sess|fn)_/;
/** `sess_` and the base64url text of at least 16 random bytes (§10). */
const SESSION_ID = /^sess_[A-Za-z0-9_-]{22,}$/;

/**
 * Maps the random ids an example shows (`sess_…`, `fn_…`) to the ones the real peer chose, each
 * learned where it first appears. Nothing else in a message is substituted.
 */
export class IdMap {
  private readonly real = new Map<string, string>();

  /** The example's value with every id learned so far replaced by the real one. */
  toReal(value: unknown): unknown {
    return this.walk(value, undefined, false);
  }

  /**
   * The example's value in real ids, learning unknown ids from `actual` at the same position.
   * Key order is the example's, so a difference in member order still shows when compared as text.
   */
  learn(expected: unknown, actual: unknown): unknown {
    return this.walk(expected, actual, true);
  }

  private walk(value: unknown, actual: unknown, learn: boolean): unknown {
    if (typeof value === 'string') {
      if (!RANDOM_ID.test(value)) return value;
      const known = this.real.get(value);
      if (known !== undefined) return known;
      if (!learn || typeof actual !== 'string' || !actual.startsWith(value.slice(0, value.indexOf('_') + 1))) return value;
      if ([...this.real.values()].includes(actual)) return value;
      if (value.startsWith('sess_')) expect(actual).toMatch(SESSION_ID);
      this.real.set(value, actual);
      return actual;
    }
    if (Array.isArray(value)) {
      return value.map((item, index) => this.walk(item, Array.isArray(actual) ? actual[index] : undefined, learn));
    }
    if (typeof value === 'object' && value !== null) {
      const other = typeof actual === 'object' && actual !== null ? (actual as Record<string, unknown>) : {};
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.walk(item, other[key], learn)]));
    }
    return value;
  }
}

/**
 * Plays one example against a real peer: `raw` is the test's end of the connection and plays
 * the side `plays`; every message of the other side must arrive as the example shows it, compared
 * as JSON text (member order included) after mapping random ids.
 */
export function replay(example: WireExample, raw: ReturnType<typeof rawPeer>, plays: Side, ids = new IdMap()) {
  let cursor = 0;
  const next = (from: Side) => {
    const step = example.messages[cursor];
    if (!step) throw new Error(`${example.title}: no message left`);
    if (step.from !== from) throw new Error(`${example.title}: message ${cursor} is from the ${step.from}`);
    cursor++;
    return step.message;
  };
  return {
    ids,
    get done(): boolean {
      return cursor === example.messages.length;
    },
    /** Whose message comes next. */
    get nextFrom(): Side | undefined {
      return example.messages[cursor]?.from;
    },
    /** Sends the example's next message, which must be one the test plays. */
    send(): void {
      raw.send(ids.toReal(next(plays)));
    },
    /**
     * Awaits the real peer's next message and checks it against the example's next one.
     * `adjust` may drop what the example leaves out on purpose (and says why at the call).
     */
    async expect(adjust: (actual: any) => unknown = (actual) => actual): Promise<unknown> {
      const expected = next(plays === 'client' ? 'server' : 'client');
      return expectMessage(raw, ids, expected, adjust);
    },
    /** Plays the rest of the example in order. */
    async rest(): Promise<void> {
      while (cursor < example.messages.length) {
        if (example.messages[cursor]!.from === plays) this.send();
        else await this.expect();
      }
    },
  };
}

/** Awaits the next message from the real peer and checks it against `expected` (random ids mapped). */
export async function expectMessage(
  raw: ReturnType<typeof rawPeer>,
  ids: IdMap,
  expected: unknown,
  adjust: (actual: any) => unknown = (actual) => actual,
): Promise<unknown> {
  const actual = adjust(await raw.next());
  expect(JSON.stringify(actual)).toBe(JSON.stringify(ids.learn(expected, actual)));
  return actual;
}
