/** A command line that cannot be run as given. The scomp commands exit with code 2 for it. */
export class UsageError extends Error {
  override name = 'UsageError';
}
