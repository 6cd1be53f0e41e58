export { UsageError } from './usageError.js';
export { integerOption, parseCommandLine } from './arguments.js';
export { redirectConsoleToStderr, shutdownSignal } from './signals.js';
