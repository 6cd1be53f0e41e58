const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Calls `visit` for each bracket of the JSON text outside strings, with its index, the depth inside
 * it and its character code. One pass, so it is linear in the text and runs before anything is
 * parsed. Returns `'stopped'` as soon as `visit` returns true, `'open string'` when a string never
 * closes, and `'end'` otherwise.
 */
function eachBracket(text: string, visit: (index: number, depth: number, code: number) => boolean): 'stopped' | 'open string' | 'end' {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i);
      if (i === -1) return 'open string';
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (visit(i, ++depth, code)) return 'stopped';
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (visit(i, depth--, code)) return 'stopped';
    }
  }
  return 'end';
}

/**
 * The index of the quote closing the string that opens at `start`, or -1. Strings are skipped with
 * the native `indexOf`, since they are most of a large message; the backslashes counted before
 * each quote are never counted twice, so this stays linear.
 */
function stringEnd(text: string, start: number): number {
  let end = start;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
}

/**
 * Whether the JSON text `text` nests arrays and objects deeper than `max`, so a message cannot make
 * the receiver build, walk or clone a structure its stack cannot hold.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  return eachBracket(text, (_, depth) => depth > max) === 'stopped';
}

const SCALAR = /^(?:true|false|null|-?[0-9][0-9.eE+-]*)$/;

/**
 * Whether `text` is one JSON value that stays inside its place when it is put into a larger JSON
 * text: a string that closes at its end, a scalar, or an array or object whose brackets never close
 * past its start and close at its end, nesting at most `maxDepth` levels. So nothing in it can end
 * the value early and add members or messages of its own. What lies between the brackets is not
 * checked further (that would be parsing it): a text malformed there makes the whole message
 * unreadable, never a different message.
 */
export function isOneJsonValue(text: string, maxDepth: number): boolean {
  const first = text.charCodeAt(0);
  if (first === QUOTE) return stringEnd(text, 0) === text.length - 1;
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return SCALAR.test(text);
  let closedAt = -1;
  const outcome = eachBracket(text, (index, depth, code) => {
    if (code === OPEN_BRACE || code === OPEN_BRACKET) return depth > maxDepth;
    if (depth > 1) return false;
    closedAt = index;
    return true;
  });
  return outcome === 'stopped' && closedAt === text.length - 1;
}

/**
 * The message with every object or array below its top level emptied, so its `id` and `method`
 * can be read to answer it. `undefined` when that is not valid JSON.
 */
export function topLevelOnly(text: string): unknown {
  let out = '';
  let copiedTo = 0;
  let balanced = true;
  eachBracket(text, (index, depth, code) => {
    if (depth !== 2) return false;
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      out += text.slice(copiedTo, index) + (code === OPEN_BRACE ? '{}' : '[]');
      balanced = false;
    } else {
      copiedTo = index + 1;
      balanced = true;
    }
    return false;
  });
  if (balanced) out += text.slice(copiedTo);
  try {
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}
