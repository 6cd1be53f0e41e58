import { readFileSync } from 'node:fs';

/**
 * The name the prelude is evaluated under. Stack frames carry it, so error stacks drop the
 * runtime's own frames by this name, whatever the prelude's file is called.
 */
export const PRELUDE_SCRIPT = 'scomp:prelude';

/**
 * The guest prelude's source: `prelude.js` beside this module, a plain JavaScript file that the
 * package's typecheck checks (`// @ts-check`) and the build copies into `dist`.
 */
export const PRELUDE_SOURCE = readFileSync(new URL('./prelude.js', import.meta.url), 'utf8');
