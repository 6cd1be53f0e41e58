import { utf8ByteLength } from '@scomp/protocol/utf8';
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';

/**
 * The parts of a QuickJS context that reading a string needs. quickjs-emscripten keeps them
 * `protected`; when a version lacks them, strings are read its own way (`getString`).
 */
interface ContextInternals {
  ctx: { value: number };
  ffi: { QTS_GetString(ctx: number, value: number): number; QTS_FreeCString(ctx: number, text: number): void };
  module: { HEAPU8: Uint8Array };
}

/** A string read out of the guest: its text and the length of its UTF-8 form in bytes. */
export interface GuestText {
  text: string;
  utf8Bytes: number;
  /**
   * With {@link readGuestString}: the text holds nothing `JSON.stringify` escapes (a quote, a
   * backslash, a control character), so its JSON is the text in quotes.
   */
  plain?: boolean;
}

const decoder = new TextDecoder();

/**
 * Reads a guest string, as `getString` does, but finds the end of its UTF-8 copy with one native
 * search of the WebAssembly memory and decodes it in one call: quickjs-emscripten's own reader
 * walks the bytes one by one in JavaScript first, which costs as much as everything else a result
 * of megabytes goes through on its thread. Like `getString`, the text ends at the first U+0000, and
 * a lone surrogate becomes U+FFFD.
 */
export function readGuestText(context: QuickJSContext, handle: QuickJSHandle): GuestText {
  return read(context, handle, false);
}

/**
 * {@link readGuestText}, and whether the text needs any JSON escape, found in the same pass that
 * finds its end (four bytes at a time): a string result of megabytes is then quoted without
 * another walk over it.
 */
export function readGuestString(context: QuickJSContext, handle: QuickJSHandle): GuestText {
  return read(context, handle, true);
}

function read(context: QuickJSContext, handle: QuickJSHandle, findEscapes: boolean): GuestText {
  const { ctx, ffi, module } = context as unknown as Partial<ContextInternals>;
  if (!ctx || !ffi?.QTS_GetString || !module?.HEAPU8) {
    const text = context.getString(handle);
    // eslint-disable-next-line no-control-regex -- the characters JSON escapes include the control characters
    return { text, utf8Bytes: utf8ByteLength(text), plain: !/["\\\u0000-\u001f]/.test(text) };
  }
  const pointer = ffi.QTS_GetString(ctx.value, handle.value as number);
  try {
    // Read the view after the call: copying the string may have grown (and so replaced) the memory.
    const heap = module.HEAPU8;
    const found = findEscapes ? endAndEscapes(heap, pointer) : { end: heap.indexOf(0, pointer), plain: undefined };
    const end = found.end === -1 ? heap.length : found.end;
    const bytes = heap.subarray(pointer, end);
    const text = decoder.decode(bytes);
    return found.plain === undefined ? { text, utf8Bytes: bytes.length } : { text, utf8Bytes: bytes.length, plain: found.plain };
  } finally {
    ffi.QTS_FreeCString(ctx.value, pointer);
  }
}

/** A byte JSON escapes in a string, or the NUL that ends a C string. */
function special(byte: number): boolean {
  return byte < 0x20 || byte === 0x22 || byte === 0x5c;
}

/** Where the C string at `start` ends, and whether no byte before that end needs a JSON escape. */
function endAndEscapes(heap: Uint8Array, start: number): { end: number; plain: boolean } {
  let index = start;
  for (; index < heap.length && ((heap.byteOffset + index) & 3) !== 0; index++) if (special(heap[index]!)) return stopAt(heap, index);
  const words = new Uint32Array(heap.buffer, heap.byteOffset + index, (heap.length - index) >>> 2);
  for (let word = 0; word < words.length; word++) {
    const value = words[word]!;
    const quote = value ^ 0x22222222;
    const backslash = value ^ 0x5c5c5c5c;
    // Per byte: below 0x20 (the NUL included), or equal to a quote or a backslash. Exact for
    // whether any byte of the word matches, which the byte loop below then finds.
    if (((((value - 0x20202020) & ~value) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) === 0) continue;
    const first = index + word * 4;
    for (let at = first; at < first + 4; at++) if (special(heap[at]!)) return stopAt(heap, at);
  }
  for (let at = index + words.length * 4; at < heap.length; at++) if (special(heap[at]!)) return stopAt(heap, at);
  return { end: -1, plain: true };
}

function stopAt(heap: Uint8Array, at: number): { end: number; plain: boolean } {
  return heap[at] === 0 ? { end: at, plain: true } : { end: heap.indexOf(0, at), plain: false };
}
