export { spawnProcess, type ProcessExit, type ProcessHandle, type SpawnProcessOptions } from './spawnProcess.js';
export type { LineMatcher } from './lineStream.js';
export { groupRunning, processRunning } from '../processGroup.js';
