export { spawnStdioTransport, type SpawnStdioOptions, type StdioChildTransport, type ChildExit } from './spawnStdio.js';
export { serveStdio, type ServeStdioOptions } from './serveStdio.js';
export { encodeLine, LineDecoder } from './ndjson.js';
export { splitCommand } from './splitCommand.js';
export { ChildProcessExitError, MessageTooLargeError, SendBufferFullError } from './errors.js';
export { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
