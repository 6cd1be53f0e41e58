import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bindingsOf, demoBindings, loadBindings } from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('loadBindings', () => {
  it('loads a TypeScript module: the default array and the named bindings', async () => {
    const bindings = await loadBindings('bindings.ts', fixtures);
    expect(bindings.map((b) => b.meta.name)).toEqual(['math.add', 'greet']);
  });

  it('loads a JavaScript module whose default export is one binding', async () => {
    const bindings = await loadBindings('bindings.mjs', fixtures);
    expect(bindings.map((b) => b.meta.name)).toEqual(['shout']);
  });

  it('refuses a module that exports no bindings', async () => {
    await expect(loadBindings('empty.mjs', fixtures)).rejects.toThrow(/exports no bindings/);
  });

  it('refuses a module that does not exist', async () => {
    await expect(loadBindings('missing.mjs', fixtures)).rejects.toThrow(/could not load bindings from missing.mjs/);
  });

  it('refuses a default array with something that is not a binding', () => {
    expect(() => bindingsOf({ default: [demoBindings()[0], { name: 'x' }] }, 'm.js')).toThrow(/item 1 is not a binding/);
  });

  it('lists a binding exported twice only once', () => {
    const [first] = demoBindings();
    expect(bindingsOf({ default: [first], first })).toEqual([first]);
  });
});
