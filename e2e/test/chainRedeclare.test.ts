import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, defineBinding } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { builtClientBin, builtProxyBin, builtServerBin, writeBuiltChain } from './support/chainProcesses.js';
import { child } from './support/processes.js';

const answer = (name: string, value: string) => defineBinding({ name, input: Type.Object({}), handler: () => value });

describe('a resume with other client bindings through stdio hops', () => {
  it('reaches the server at the end of the chain: each component re-declares on its one connection', async () => {
    using chainFile = writeBuiltChain('scomp-chain-redeclare-', () => [
      [builtProxyBin, 'audit'],
      [builtProxyBin, 'scope', '--server-bindings', '*'],
      [builtServerBin, '--stdio'],
    ]);
    await using chain = child([builtClientBin, 'chain', chainFile.path, '--port', '0']);
    const [, url] = await chain.line(/listening on (ws:\/\/\S+)/);
    const first = await Client.connect(await connectWebSocket(url!), { bindings: [answer('alpha', 'a')] });
    await first.eval('kept = 41');
    expect(await first.eval('[typeof alpha, typeof beta, await alpha({})]')).toEqual(['function', 'undefined', 'a']);
    first.close();
    await using resumed = await Client.connect(await connectWebSocket(url!), { sessionId: first.sessionId, bindings: [answer('beta', 'b')] });
    expect(await resumed.eval('[typeof alpha, typeof beta, await beta({}), kept + 1]')).toEqual(['undefined', 'function', 'b', 42]);
  });
});
