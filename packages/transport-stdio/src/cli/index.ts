export { UsageError } from './usageError.js';
export { integerOption, parseCommandLine } from './arguments.js';
export { parseOrReport, processIo, type CommandIo } from './commandIo.js';
export { redirectConsoleToStderr, shutdownSignal } from './signals.js';
