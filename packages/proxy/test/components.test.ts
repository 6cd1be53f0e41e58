import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, Server, defineBinding, type Binding } from '@scomp/peer';
import { confirmer, createFakeRuntimeFactory, createMemoryTransportPair } from '@scomp/peer/testing';
import { STANDARD_CLIENT_BINDINGS, type LogEntry } from '@scomp/protocol';
import { approval, audit, createComponent, scope, type AuditRecord } from '../src/index.js';
import { memoryChain } from './support/memoryChain.js';
import { asOlderServer } from './support/oldServer.js';
import { settle } from './support/settle.js';

const serverBindings = [
  defineBinding({ name: 'orders.list', input: Type.Object({}), effects: ['read'], handler: () => [1, 2] }),
  defineBinding({ name: 'orders.cancel', input: Type.Object({ id: Type.Number() }), effects: ['write'], handler: ({ id }) => `cancelled ${id}` }),
  defineBinding({ name: 'fail', input: Type.Object({}), handler: () => Promise.reject(new Error('boom')) }),
];

function logSink() {
  const entries: LogEntry[] = [];
  const binding = defineBinding({
    name: 'log',
    input: Type.Unsafe<LogEntry>(STANDARD_CLIENT_BINDINGS.log.input),
    handler: (entry) => {
      entries.push(entry);
      return null;
    },
  });
  return { entries, binding };
}

const fileWrite = (written: string[]): Binding =>
  defineBinding({
    name: 'fs.write',
    input: Type.Object({ path: Type.String() }),
    effects: ['write'],
    handler: ({ path }) => {
      written.push(path);
      return 'ok';
    },
  });

describe('the audit component', () => {
  it('logs every eval and invoke upstream with its duration and outcome', async () => {
    const records: AuditRecord[] = [];
    await using chain = memoryChain([audit({ onEntry: (record) => records.push(record) })], { bindings: serverBindings });
    const log = logSink();
    const client = await chain.connect({ bindings: [log.binding, fileWrite([])] });
    await client.eval('1 + 1');
    await client.invoke('orders.list', {});
    await expect(client.invoke('fail', {})).rejects.toThrow();
    await client.eval('fs.write({ path: "a.txt" })');
    await settle();
    expect(records.map(({ kind, name, direction, outcome }) => ({ kind, name, direction, outcome }))).toEqual([
      { kind: 'eval', name: undefined, direction: undefined, outcome: 'ok' },
      { kind: 'invoke', name: 'orders.list', direction: 'downstream', outcome: 'ok' },
      { kind: 'invoke', name: 'fail', direction: 'downstream', outcome: 'error' },
      { kind: 'invoke', name: 'fs.write', direction: 'upstream', outcome: 'ok' },
      { kind: 'eval', name: undefined, direction: undefined, outcome: 'ok' },
    ]);
    expect(records[0]).toMatchObject({ code: '1 + 1', sessionId: client.sessionId });
    expect(records[2]!.error).toMatchObject({ name: 'InternalError' });
    for (const record of records) expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(log.entries.map((entry) => entry.data)).toEqual(records);
    expect(log.entries.map((entry) => `${entry.level} ${entry.message}`)).toEqual([
      'info eval',
      'info invoke orders.list',
      'warn invoke fail',
      'info invoke fs.write',
      'info eval',
    ]);
  });
});

describe('the approval component', () => {
  it('lets a call with write effects through once the upstream confirms it', async () => {
    await using chain = memoryChain([approval()], { bindings: serverBindings });
    const confirm = confirmer(true);
    const written: string[] = [];
    const client = await chain.connect({ bindings: [confirm.binding, fileWrite(written)] });
    expect(await client.eval('fs.write({ path: "notes.md" })')).toBe('ok');
    expect(await client.invoke('orders.cancel', { id: 7 })).toBe('cancelled 7');
    expect(await client.invoke('orders.list', {})).toEqual([1, 2]);
    expect(written).toEqual(['notes.md']);
    expect(confirm.questions).toEqual([
      { message: 'Allow fs.write (write)?', binding: 'fs.write', args: { path: 'notes.md' }, effects: ['write'] },
      { message: 'Allow orders.cancel (write)?', binding: 'orders.cancel', args: { id: 7 }, effects: ['write'] },
    ]);
  });

  it('refuses a declined call with a clear error in the guest, and the call never happens', async () => {
    await using chain = memoryChain([approval()], { bindings: serverBindings });
    const written: string[] = [];
    const client = await chain.connect({ bindings: [confirmer(false).binding, fileWrite(written)] });
    const caught = await client.eval('fs.write({ path: "x" }).then(() => "written", (error) => error.name + ": " + error.message)');
    expect(caught).toBe('UnauthorizedError: approval: fs.write was not approved (declined)');
    expect(written).toEqual([]);
  });

  it('refuses gated calls when the upstream offers no confirm binding', async () => {
    await using chain = memoryChain([approval()], { bindings: serverBindings });
    const client = await chain.connect();
    await expect(client.invoke('orders.cancel', { id: 1 })).rejects.toMatchObject({
      name: 'UnauthorizedError',
      message: 'approval: orders.cancel was not approved (the client offers no confirm binding)',
      data: { binding: 'orders.cancel', effects: ['write'], refusedBy: 'approval' },
    });
  });
});

describe('the scope component', () => {
  it('offers only the bindings its configuration names, in both directions', async () => {
    await using chain = memoryChain([scope({ serverBindings: ['orders.list'], clientBindings: ['ui.*'] })], { bindings: serverBindings });
    const log = logSink();
    const client = await chain.connect({
      bindings: [
        log.binding,
        fileWrite([]),
        defineBinding({ name: 'ui.toast', input: Type.Object({ text: Type.String() }), handler: ({ text }) => `toast ${text}` }),
      ],
    });
    expect(client.serverBindings.map((meta) => meta.name)).toEqual(['orders.list']);
    await expect(client.invoke('orders.cancel', { id: 1 })).rejects.toMatchObject({ name: 'BindingNotFoundError' });
    // The server's session is narrowed too, so guest code at the end of the chain cannot call what scope hides.
    expect(await client.eval('[typeof fs, typeof orders.cancel, typeof orders.list]')).toEqual(['undefined', 'undefined', 'function']);
    expect(await client.eval('ui.toast({ text: "hi" })')).toBe('toast hi');
    expect(chain.server.listSessions()).toHaveLength(1);
  });

  it('narrows what its upstream asked for further, and never widens it', async () => {
    await using chain = memoryChain([scope({ serverBindings: ['orders.*'] })], { bindings: serverBindings });
    const narrower = await chain.connect({ serverBindings: { only: ['orders.list', 'fail'] } });
    expect(narrower.serverBindings.map((meta) => meta.name)).toEqual(['orders.list']);
    expect(await narrower.eval('[typeof orders.cancel, typeof fail, typeof orders.list]')).toEqual(['undefined', 'undefined', 'function']);
    const wider = await chain.connect({ serverBindings: { only: ['fail'] } });
    expect(wider.serverBindings).toEqual([]);
    await expect(wider.invoke('fail', {})).rejects.toMatchObject({ name: 'BindingNotFoundError', data: { name: 'fail' } });
  });

  it('refuses the session, rather than fail open, when its downstream ignores serverBindings', async () => {
    await using server = new Server({ runtime: createFakeRuntimeFactory(), bindings: serverBindings });
    await using component = createComponent({
      ...scope({ serverBindings: ['orders.list'] }),
      downstream: () => {
        const [near, far] = createMemoryTransportPair();
        server.accept(far);
        // A server of a protocol without serverBindings ignores the member, as it ignores any it does not know.
        return asOlderServer(near, (params) => delete params.serverBindings);
      },
    });
    const [near, far] = createMemoryTransportPair();
    component.accept(far);
    await expect(Client.connect(near)).rejects.toMatchObject({
      name: 'HandshakeFailedError',
      message: 'scope: the downstream offers orders.cancel, which serverBindings hides: it does not narrow its bindings',
    });
    await settle();
    // Its connection is closed; the session it opened idles until it expires, as any client's (spec §10).
    expect(server.stats()).toMatchObject({ connections: 0, attachedSessions: 0 });
  });

  it('refuses a configuration that is not binding names', () => {
    expect(() => scope({ serverBindings: ['orders.*.list'] })).toThrow('scope: "orders.*.list" is not a binding name, a name followed by .*, or *');
  });
});

describe('the approval component and the server bindings guest code calls', () => {
  it("has the server ask the upstream's confirm before a guest call with write effects, and run it only on true", async () => {
    await using chain = memoryChain([approval()], { bindings: serverBindings });
    const confirm = confirmer(true);
    const client = await chain.connect({ bindings: [confirm.binding] });
    expect(await client.eval('orders.cancel({ id: 4 })')).toBe('cancelled 4');
    expect(await client.eval('orders.list({})')).toEqual([1, 2]);
    expect(confirm.questions).toEqual([{ message: 'Allow orders.cancel (write)?', binding: 'orders.cancel', args: { id: 4 }, effects: ['write'] }]);
  });

  it('lets guest code catch the refusal, naming the binding, when the upstream declines or offers no confirm', async () => {
    await using chain = memoryChain([approval()], { bindings: serverBindings });
    const declined = await chain.connect({ bindings: [confirmer(false).binding] });
    const catching = 'orders.cancel({ id: 5 }).then(() => "cancelled", (error) => [error.code, error.data])';
    expect(await declined.eval(catching)).toEqual([-32003, { binding: 'orders.cancel', effects: ['write'] }]);
    const noConfirm = await chain.connect();
    expect(await noConfirm.eval(catching)).toEqual([-32003, { binding: 'orders.cancel', effects: ['write'] }]);
  });
});

describe('three components in a chain', () => {
  it('audit, approval and scope compose: the audit log records the confirm and the gated call', async () => {
    await using chain = memoryChain([audit(), approval(), scope({ serverBindings: ['orders.*'] })], { bindings: serverBindings });
    const log = logSink();
    const client = await chain.connect({ bindings: [log.binding, confirmer(true).binding] });
    expect(client.serverMetadata?.chain).toEqual(['audit', 'approval', 'scope']);
    expect(await client.invoke('orders.cancel', { id: 3 })).toBe('cancelled 3');
    await settle();
    expect(log.entries.map((entry) => entry.message)).toEqual(['invoke confirm', 'invoke orders.cancel']);
  });
});
