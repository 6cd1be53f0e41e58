export { spawnProcess } from './childProcess.js';
export type { LineMatcher, ProcessExit, ProcessHandle, SpawnProcessOptions } from './childProcess.js';
export { spawnServerProcess, serverBinPath } from './serverProcess.js';
export type { ServerProcess } from './serverProcess.js';
