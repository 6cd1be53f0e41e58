/** 16 MiB: the largest message accepted unless configured otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** 64 MiB: how much unsent data a connection may hold for a peer that does not read. */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
