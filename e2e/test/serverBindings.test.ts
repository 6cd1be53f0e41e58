import { describe, expect, it } from 'vitest';
import { BindingNotFoundError, Client, HandshakeFailedError, type ClientOptions } from '@scomp/peer';
import { confirmer } from '@scomp/peer/testing';
import { approval, audit, scope } from '@scomp/proxy';
import { spawnServerProcess } from '@scomp/app-server/testing';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { builtClientBin, builtProxyBin, builtServerBin, writeBuiltChain } from './support/chainProcesses.js';
import { child } from './support/processes.js';
import { webSocketChain } from './support/wsChain.js';

const UPDATE = "(await updateOrder({ id: 'o_001', status: 'shipped' })).status";
const CATCH_UPDATE = "await updateOrder({ id: 'o_001', status: 'shipped' }).then(() => 'updated', (error) => [error.code, error.data.binding])";

describe('a session narrowed by its client, on a scomp-server process', () => {
  it('hides what the client left out from guest code and invokes, gates what it named, and keeps the view on resume', async () => {
    await using server = await spawnServerProcess();
    const connect = async (options: ClientOptions) => Client.connect(await connectWebSocket(server.url), options);
    const serverBindings = { only: ['getOrder', 'listOrders', 'updateOrder'], confirm: ['updateOrder'] };
    const allow = confirmer(true);
    await using client = await connect({ bindings: [allow.binding], serverBindings });
    expect(client.serverBindings.map((meta) => meta.name)).toEqual(['getOrder', 'listOrders', 'updateOrder']);
    expect(await client.eval('[typeof refund, typeof echo, typeof getOrder]')).toEqual(['undefined', 'undefined', 'function']);
    await expect(client.eval("refund({ id: 'o_001' })")).rejects.toMatchObject({ data: { name: 'ReferenceError' } });
    await expect(client.invoke('refund', { id: 'o_001' })).rejects.toBeInstanceOf(BindingNotFoundError);
    expect(await client.eval(UPDATE)).toBe('shipped');
    expect(allow.questions).toEqual([
      {
        message: 'Allow updateOrder (write)?',
        binding: 'updateOrder',
        args: { id: 'o_001', status: 'shipped' },
        effects: ['write'],
      },
    ]);
    // The client's own invokes are not gated.
    expect(await client.invoke('updateOrder', { id: 'o_002', status: 'shipped' })).toMatchObject({ status: 'shipped' });
    client.close();

    await expect(connect({ sessionId: client.sessionId, serverBindings: { only: ['refund'] } })).rejects.toBeInstanceOf(HandshakeFailedError);
    const deny = confirmer(false);
    await using resumed = await connect({ sessionId: client.sessionId, bindings: [deny.binding], serverBindings });
    expect(resumed.serverBindings.map((meta) => meta.name)).toEqual(['getOrder', 'listOrders', 'updateOrder']);
    expect(await resumed.eval(CATCH_UPDATE)).toEqual([-32003, 'updateOrder']);
    expect(deny.questions).toHaveLength(1);
  });
});

describe('components narrow and gate the server bindings guest code calls', () => {
  it('over WebSocket: scope hides a server binding from guest code, approval asks the client before a write', async () => {
    await using chain = await webSocketChain([audit({ logUpstream: false }), approval(), scope({ serverBindings: ['getOrder', 'listOrders', 'updateOrder'] })]);
    const allow = confirmer(true);
    await using allowed = await Client.connect(await connectWebSocket(chain.url), { bindings: [allow.binding] });
    expect(allowed.serverBindings.map((meta) => meta.name)).toEqual(['getOrder', 'listOrders', 'updateOrder']);
    expect(await allowed.eval('[typeof refund, typeof updateOrder]')).toEqual(['undefined', 'function']);
    await expect(allowed.invoke('refund', { id: 'o_001' })).rejects.toBeInstanceOf(BindingNotFoundError);
    expect(await allowed.eval(UPDATE)).toBe('shipped');
    expect(allow.questions).toMatchObject([{ binding: 'updateOrder', effects: ['write'] }]);
    // The session at the end of the chain was narrowed by scope and gated by approval.
    expect(chain.server.server.listSessions()).toHaveLength(1);

    await using refused = await Client.connect(await connectWebSocket(chain.url), { bindings: [confirmer(false).binding] });
    expect(await refused.eval(CATCH_UPDATE)).toEqual([-32003, 'updateOrder']);
    await using withoutConfirm = await Client.connect(await connectWebSocket(chain.url));
    expect(await withoutConfirm.eval(CATCH_UPDATE)).toEqual([-32003, 'updateOrder']);
  });

  it('over stdio, answered by scomp eval --confirm yes, no and ask', async () => {
    using chainFile = writeBuiltChain('scomp-server-bindings-', () => [
      [builtProxyBin, 'approval'],
      [builtProxyBin, 'scope', '--server-bindings', 'getOrder,listOrders,updateOrder'],
      [builtServerBin, '--stdio'],
    ]);
    const stdio = chainFile.stdio;
    const scompEval = async (input: string, ...args: string[]) => {
      await using run = child([builtClientBin, 'eval', ...stdio, ...args]);
      run.write(input);
      run.endInput();
      const { code } = await run.exited;
      return { code, stdout: run.stdout, stderr: run.stderr };
    };

    expect(await scompEval('', '[typeof refund, typeof updateOrder].join()')).toMatchObject({ code: 0, stdout: 'undefined,function\n' });
    const yes = await scompEval('', '--confirm', 'yes', UPDATE);
    expect(yes).toMatchObject({ code: 0, stdout: 'shipped\n' });
    expect(yes.stderr).toContain('[confirm] Allow updateOrder (write)?');
    expect(await scompEval('', '--confirm', 'no', `(${CATCH_UPDATE}).join()`)).toMatchObject({ code: 0, stdout: '-32003,updateOrder\n' });
    const declined = await scompEval('n\n', '--confirm', 'ask', `(${CATCH_UPDATE}).join()`);
    expect(declined).toMatchObject({ code: 0, stdout: '-32003,updateOrder\n' });
    expect(declined.stderr).toContain('[confirm] Allow updateOrder (write)?');
  });
});
