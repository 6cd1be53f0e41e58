const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Calls `visit` for each bracket of the JSON text outside strings, with its index, the depth inside
 * it and its character code; stops and returns true as soon as `visit` does. One pass, so it is
 * linear in the text and runs before anything is parsed.
 */
function eachBracket(text: string, visit: (index: number, depth: number, code: number) => boolean): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i);
      if (i === -1) return false;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (visit(i, ++depth, code)) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (visit(i, depth--, code)) return true;
    }
  }
  return false;
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
  return eachBracket(text, (_, depth) => depth > max);
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
