// Empties the package's `dist` before its build: tsc only adds and overwrites files, so modules
// that were moved or deleted in the sources would otherwise stay in the build output and in the
// published package. Runs in the package directory (the `build` script's working directory).
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
