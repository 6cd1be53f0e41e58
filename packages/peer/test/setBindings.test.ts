import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { BindingNotFoundError, defineBinding } from '../src/index.js';
import { memoryServer } from './support/fixture.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';

const named = (name: string) => defineBinding({ name, input: Type.Object({}), handler: () => name });

describe('server.setBindings', () => {
  it('gives sessions opened afterwards the new set, while an open session keeps its own across a resume', async () => {
    const runtime = scriptRuntimeFactory({});
    await using fixture = memoryServer({ runtime, bindings: [named('old'), named('kept')] });
    const before = await fixture.connect();
    fixture.server.setBindings([named('kept'), named('added')]);
    const after = await fixture.connect();

    expect(after.serverBindings.map((meta) => meta.name)).toEqual(['kept', 'added']);
    expect(runtime.runtimes[1]!.init.bindings.map((binding) => binding.meta.name)).toEqual(['kept', 'added']);
    expect(await after.invoke('added', {})).toBe('added');
    await expect(after.invoke('old', {})).rejects.toBeInstanceOf(BindingNotFoundError);

    expect(runtime.runtimes[0]!.init.bindings.map((binding) => binding.meta.name)).toEqual(['old', 'kept']);
    expect(await before.invoke('old', {})).toBe('old');
    await expect(before.invoke('added', {})).rejects.toBeInstanceOf(BindingNotFoundError);
    before.close();
    await settle();
    const resumed = await fixture.connect({ sessionId: before.sessionId });
    expect(resumed.serverBindings.map((meta) => meta.name)).toEqual(['old', 'kept']);
    expect(await resumed.invoke('old', {})).toBe('old');
  });

  it('refuses a set it would refuse at construction, keeping the current one', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [named('a')] });
    expect(() => fixture.server.setBindings([named('b'), named('b')])).toThrow('server bindings b and b claim the same name');
    expect((await fixture.connect()).serverBindings.map((meta) => meta.name)).toEqual(['a']);
  });
});
