/** The protocol version this package implements. Peers exchange it in the handshake. */
export const PROTOCOL_VERSION = '0.1';

/**
 * Versions are `MAJOR.MINOR`. Before 1.0 every minor version may break, so two versions are
 * compatible only when they are equal; from 1.0 on, when their majors are equal.
 */
export function isCompatibleVersion(ours: string, theirs: string): boolean {
  const [ourMajor, ourMinor] = ours.split('.');
  const [theirMajor, theirMinor] = theirs.split('.');
  if (ourMajor !== theirMajor) return false;
  return ourMajor !== '0' || ourMinor === theirMinor;
}
