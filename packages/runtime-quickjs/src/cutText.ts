/**
 * Longest text, in UTF-16 code units, that guest code can put in one error's `message` or `stack`
 * or in one console line. Guest code can build strings up to its memory limit; without a cut,
 * `throw new Error("E".repeat(20e6))` would become a 40 MB response.
 */
export const MAX_GUEST_TEXT = 64 * 1024;

/** An error's `name` is a label, not a report: it gets far less room. */
export const MAX_GUEST_NAME = 256;

/**
 * `text` when it fits in `max` code units, else its start followed by a marker saying how many code
 * units were left out. The result, marker included, never exceeds `max` by more than the marker.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  // Never split a surrogate pair: half of one is not valid UTF-8 on the wire.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}… [${text.length - end} more characters cut]`;
}
