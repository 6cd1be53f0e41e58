import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineBinding, InternalError, InvalidParamsError, moduleBinding } from '../src/index.js';
import { memoryServer } from './support/fixture.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

const TOOLS = new URL('./fixtures/tools.ts', import.meta.url);
const context = { signal: new AbortController().signal, sessionId: 'sess_test', invoke: () => Promise.resolve(undefined) };

describe('moduleBinding', () => {
  it("serves the module's binding on this thread and names where it came from", async () => {
    const add = await moduleBinding(TOOLS, 'add');
    expect(add.meta).toEqual({ name: 'add', input: expect.objectContaining({ type: 'object' }), output: { type: 'number' }, effects: ['read'] });
    expect(add.origin).toEqual({ url: TOOLS.href, export: 'add' });
    expect(await add.call({ a: 1, b: 2 }, context)).toBe(3);
    await expect(add.call({ a: 1 }, context)).rejects.toBeInstanceOf(InvalidParamsError);
    const fromDefault = await moduleBinding(TOOLS.href);
    expect(fromDefault.origin).toEqual({ url: TOOLS.href, export: 'default' });
    expect(await fromDefault.call({}, context)).toBe('default');
  });

  it('refuses a relative URL, an export that is not a binding, and a module that fails to load, naming the module', async () => {
    await expect(moduleBinding('./fixtures/tools.ts', 'add')).rejects.toThrow(TypeError);
    await expect(moduleBinding(TOOLS, 'notABinding')).rejects.toThrow(`binding module ${TOOLS.href} has no binding export notABinding`);
    await expect(moduleBinding(TOOLS, 'missing')).rejects.toBeInstanceOf(InternalError);
    const broken = new URL('./fixtures/broken.ts', import.meta.url);
    await expect(moduleBinding(broken, 'add')).rejects.toThrow(`binding module ${broken.href} could not be imported: this module cannot load`);
  });
});

describe("a server's module bindings as its runtime sees them", () => {
  it('carry their origin, except those the session hides or gates behind confirm, by name or by effect', async () => {
    const add = await moduleBinding(TOOLS, 'add');
    const fromDefault = await moduleBinding(TOOLS, 'default');
    const plain = defineBinding({ name: 'plain', input: Type.Object({}), handler: () => 'plain' });
    const runtime = scriptRuntimeFactory({});
    await using fixture = memoryServer({ runtime, bindings: [add, fromDefault, plain] });
    await fixture.connect();
    await fixture.connect({ serverBindings: { only: ['add', 'plain'], confirm: ['add'] } });
    await fixture.connect({ serverBindings: { confirmEffects: ['read'] } });
    const origins = runtime.runtimes.map(({ init }) => Object.fromEntries(init.bindings.map((binding) => [binding.meta.name, binding.origin])));
    expect(origins).toEqual([
      { add: add.origin, fromDefault: fromDefault.origin, plain: undefined },
      { add: undefined, plain: undefined },
      { add: undefined, fromDefault: fromDefault.origin, plain: undefined },
    ]);
  });
});
