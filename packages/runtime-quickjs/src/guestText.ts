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
  const internals = context as unknown as Partial<ContextInternals>;
  const { ctx, ffi, module } = internals;
  if (!ctx || !ffi?.QTS_GetString || !module?.HEAPU8) {
    const text = context.getString(handle);
    return { text, utf8Bytes: utf8ByteLength(text) };
  }
  const pointer = ffi.QTS_GetString(ctx.value, handle.value as number);
  try {
    // Read the view after the call: copying the string may have grown (and so replaced) the memory.
    const heap = module.HEAPU8;
    const end = heap.indexOf(0, pointer);
    const bytes = heap.subarray(pointer, end === -1 ? heap.length : end);
    return { text: decoder.decode(bytes), utf8Bytes: bytes.length };
  } finally {
    ffi.QTS_FreeCString(ctx.value, pointer);
  }
}
