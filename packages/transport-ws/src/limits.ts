/** 16 MiB: the largest message accepted unless configured otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** 64 MiB: how much unsent data a connection may hold for a peer that does not read. */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** UTF-8 size of a string, without platform APIs. */
export function utf8Bytes(text: string): number {
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no count.
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x800) {
      // A surrogate pair is 4 bytes for 2 units; any other unit from 0x800 is 3.
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          bytes += 2;
          i++;
          continue;
        }
      }
      bytes += 2;
    } else if (unit >= 0x80) {
      bytes += 1;
    }
  }
  return bytes;
}

/** Whether `text` is over `maxBytes` in UTF-8, counting only when it could be. */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false;
  if (text.length > maxBytes) return true;
  return utf8Bytes(text) > maxBytes;
}
