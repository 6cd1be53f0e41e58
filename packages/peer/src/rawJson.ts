// A value that is already JSON text goes into an outgoing message as that text: a runtime that
// holds an eval result as the guest's JSON hands it over like this, so a result of megabytes is not
// parsed, walked and serialized again on its way to the wire. Part of `@scomp/peer/authoring`.
import { MAX_VALUE_DEPTH, SENTINEL_KEY } from '@scomp/protocol/value-rules';
import { InternalError } from './errors.js';
import { isOneJsonValue } from './messageDepth.js';

/** JSON texts met by the {@link stringifyMessage} in progress, in the order `JSON.stringify` met them. */
let spliced: string[] | undefined;

/**
 * What a raw value stands for while a message is serialized: a string no data holds by chance (it
 * carries a random part drawn once per process), replaced by the value's text afterwards.
 */
const MARK = (() => {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let text = '\u0000scomp:raw-json:';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
})();
const QUOTED_MARK = JSON.stringify(MARK);

/**
 * One JSON value as text, to reach the wire unparsed. The peer puts the text into the messages it
 * sends as it is; anything else that serializes it with `JSON.stringify` gets the value the text
 * stands for. Walkers treat it as an opaque value: it holds no functions.
 *
 * The text usually comes from code that is not fully trusted (a guest's `JSON.stringify`, read out
 * of a sandbox's memory), so the constructor checks it in one pass, without parsing it: it must be
 * one value that cannot end early and change the message around it, nesting at most
 * MAX_VALUE_DEPTH levels. Otherwise the constructor throws InternalError.
 */
export class RawJson {
  readonly #text: string;

  constructor(text: string) {
    if (!isOneJsonValue(text, MAX_VALUE_DEPTH)) throw new InternalError('malformed JSON text for a raw value');
    this.#text = text;
  }

  /** The JSON text, exactly as it goes on the wire. */
  get text(): string {
    return this.#text;
  }

  /** The text inside a message the peer sends; otherwise the value it stands for. */
  toJSON(): unknown {
    if (spliced) {
      spliced.push(this.#text);
      return MARK;
    }
    return JSON.parse(this.#text);
  }
}

/**
 * `JSON.stringify(message)` with the text of each {@link RawJson} inside put in place verbatim. The
 * one encoder of the peer's outgoing messages.
 */
export function stringifyMessage(message: unknown): string {
  const outer = spliced;
  const found: string[] = [];
  spliced = found;
  let text: string;
  try {
    text = JSON.stringify(message);
  } finally {
    spliced = outer;
  }
  if (found.length === 0) return text;
  const parts = text.split(QUOTED_MARK);
  // The mark also occurs in the data (it could only have been copied out of this process): encode
  // again without splicing, where each raw value serializes as the value it stands for.
  if (parts.length !== found.length + 1) {
    spliced = undefined;
    try {
      return JSON.stringify(message);
    } finally {
      spliced = outer;
    }
  }
  let out = parts[0]!;
  for (let index = 0; index < found.length; index++) out += found[index]! + parts[index + 1]!;
  return out;
}

const RESPONSE_START = '{"jsonrpc":"2.0","id":';
const VALUE_START = ',"result":{"value":';
const QUOTED_SENTINEL = JSON.stringify(SENTINEL_KEY);

/**
 * A success response `{"jsonrpc":"2.0","id":N,"result":{"value":V}}`, as the peer's own encoder
 * writes it, split without parsing: its id and V as RawJson. `undefined` for any other message, for
 * a V that may hold function references (the text names the sentinel key; those are decoded the
 * usual way), or for a V that is not one JSON value: such a message is parsed as every other one.
 */
export function splitValueResponse(text: string): { id: number; value: RawJson } | undefined {
  if (!text.startsWith(RESPONSE_START) || !text.endsWith('}}')) return undefined;
  let end = RESPONSE_START.length;
  while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
  if (end === RESPONSE_START.length || end - RESPONSE_START.length > 15 || !text.startsWith(VALUE_START, end)) return undefined;
  const value = text.slice(end + VALUE_START.length, -2);
  if (value.includes(QUOTED_SENTINEL)) return undefined;
  try {
    return { id: Number(text.slice(RESPONSE_START.length, end)), value: new RawJson(value) };
  } catch {
    return undefined;
  }
}
