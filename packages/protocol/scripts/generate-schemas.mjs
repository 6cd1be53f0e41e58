/**
 * Writes spec/schema/*.json from the built package. Run `pnpm build` first (the
 * `generate:schemas` package script does both).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as protocol from '../dist/index.js';
import { renderSchemas } from './schemas.mjs';

const outDir = fileURLToPath(new URL('../../../spec/schema/', import.meta.url));
mkdirSync(outDir, { recursive: true });
for (const [file, text] of renderSchemas(protocol)) writeFileSync(`${outDir}${file}`, text);
console.log(`wrote ${renderSchemas(protocol).length} schemas to spec/schema/`);
