/**
 * What an eval result goes through that the raw echo's answer does not, each measured alone on
 * this machine for a result of a given size: the floor the result rows are compared against.
 */
import { RawJson } from '@scomp/peer/authoring';
import { median } from './stats.js';

export interface ResultPieces {
  /** Decoding the result's UTF-8 out of the guest's WebAssembly memory (one `TextDecoder` pass). */
  readUs: number;
  /** Handing the text to the calling thread: one structured clone of the string. */
  copyUs: number;
  /** The one structural check of text that came out of a sandbox (`RawJson`). */
  checkUs: number;
}

function timeUs(run: () => unknown, reps: number): number {
  const samples: number[] = [];
  for (let index = 0; index < reps; index++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return median(samples);
}

/** Each piece for a string result of `bytes` bytes, as the median of several runs after one warm-up. */
export function measureResultPieces(bytes: number): ResultPieces {
  const utf8 = new TextEncoder().encode('x'.repeat(bytes));
  const decoder = new TextDecoder();
  const json = JSON.stringify(decoder.decode(utf8));
  const reps = bytes >= 1024 * 1024 ? 5 : 50;
  const pieces = {
    readUs: () => decoder.decode(utf8).length,
    copyUs: () => structuredClone(json).length,
    checkUs: () => new RawJson(json).text.length,
  };
  for (const run of Object.values(pieces)) run();
  return { readUs: timeUs(pieces.readUs, reps), copyUs: timeUs(pieces.copyUs, reps), checkUs: timeUs(pieces.checkUs, reps) };
}
