// The guest prelude is plain JavaScript read as text at startup: the build puts it beside the
// compiled modules (tsc compiles only the TypeScript sources).
import { copyFileSync } from 'node:fs';

copyFileSync(new URL('../src/prelude.js', import.meta.url), new URL('../dist/prelude.js', import.meta.url));
