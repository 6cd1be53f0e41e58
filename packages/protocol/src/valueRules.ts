// Plain data, no schema library: the value walker and the runtimes import these on worker threads too.

/** The reserved binding that carries guest `console` output to the client, as invoke notifications. */
export const CONSOLE_BINDING_NAME = 'console';

/**
 * 16 MiB: the largest message, in UTF-8 bytes, that the transports and the reference server accept
 * unless configured otherwise (`maxMessageBytes`).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The property that marks a scomp sentinel object inside a JSON value. Application data never has one. */
export const SENTINEL_KEY = '$scomp';

/**
 * How deeply application values (arguments, results, binding schemas, metadata) may nest: arrays
 * and objects inside each other. Deeper values are refused with InvalidParams, so no walk over a
 * value can run out of stack.
 */
export const MAX_VALUE_DEPTH = 256;

/** How deeply a whole message may nest: a value at {@link MAX_VALUE_DEPTH} plus the envelope around it. */
export const MAX_MESSAGE_DEPTH = MAX_VALUE_DEPTH + 16;
