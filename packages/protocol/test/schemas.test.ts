import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchemas, SCHEMA_FILES } from '../scripts/schemas.mjs';
import { SPEC_DIR } from '../scripts/specExamples.mjs';
import * as protocol from '../src/index.js';

describe('spec/schema', () => {
  it('holds exactly the generated files', () => {
    const onDisk = readdirSync(`${SPEC_DIR}schema`).filter((file) => file.endsWith('.json'));
    expect(onDisk.sort()).toEqual(SCHEMA_FILES.map(([file]) => file).sort());
  });

  it.each(renderSchemas(protocol))('%s matches the TypeBox source (run `pnpm generate:schemas`)', (file, text) => {
    expect(readFileSync(`${SPEC_DIR}schema/${file}`, 'utf8')).toBe(text);
  });

  it('declares draft 2020-12 and a unique $id in every file', () => {
    const ids = renderSchemas(protocol).map(([, text]) => JSON.parse(text) as { $schema: string; $id: string });
    for (const schema of ids) expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(new Set(ids.map((schema) => schema.$id)).size).toBe(ids.length);
  });
});
