import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { bindingsOf, demoBindings, loadBindings, loadModuleBindings } from '../src/index.js';

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

describe('loadModuleBindings', () => {
  it("names each binding by its module and export, so a runtime's thread can import it", async () => {
    const [shout] = await loadModuleBindings('bindings.mjs', fixtures);
    expect(shout!.meta.name).toBe('shout');
    expect(shout!.origin).toEqual({ url: pathToFileURL(`${fixtures}bindings.mjs`).href, export: 'default' });
    expect(await shout!.call({ text: 'hi' }, { signal: new AbortController().signal, sessionId: 's', invoke: () => Promise.resolve() })).toBe('HI');
  });

  it('refuses TypeScript, which worker threads do not load, and a module without bindings', async () => {
    await expect(loadModuleBindings('bindings.ts', fixtures)).rejects.toThrow(/must be JavaScript/);
    await expect(loadModuleBindings('empty.mjs', fixtures)).rejects.toThrow(/exports no bindings/);
  });
});
