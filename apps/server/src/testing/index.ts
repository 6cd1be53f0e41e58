export { spawnProcess } from '@scomp/transport-stdio/process';
export type { LineMatcher, ProcessExit, ProcessHandle, SpawnProcessOptions } from '@scomp/transport-stdio/process';
export { spawnServerProcess, serverBinPath } from './serverProcess.js';
export type { ServerProcess } from './serverProcess.js';
