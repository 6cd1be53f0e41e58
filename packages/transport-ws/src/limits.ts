// The protocol's one default, so every transport and the server agree on it.
export { DEFAULT_MAX_MESSAGE_BYTES } from '@scomp/protocol/value-rules';
/** 64 MiB: how much unsent data a connection may hold for a peer that does not read. */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
