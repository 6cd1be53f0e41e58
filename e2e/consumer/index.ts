// A consumer of the published packages: compiled against their built declarations only.
import { ErrorCode, PROTOCOL_VERSION, validators, type BindingMeta } from '@scomp/protocol';
import { Client, Server, defineBinding, type Runtime, type Transport } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import Type from 'typebox';

const getOrder = defineBinding({
  name: 'getOrder',
  input: Type.Object({ id: Type.String() }),
  output: Type.Object({ id: Type.String(), total: Type.Number() }),
  handler: ({ id }) => ({ id, total: 142.5 }),
});
const meta: BindingMeta = getOrder.meta;
const code: number = ErrorCode.SessionNotFound;
const version: string = PROTOCOL_VERSION;
const valid: boolean = validators.bindingMeta.check(meta);

export async function main(runtime: { create(): Runtime }): Promise<unknown> {
  const [clientSide, serverSide]: [Transport, Transport] = createMemoryTransportPair();
  const server = new Server({ runtime: { create: () => runtime.create() }, bindings: [getOrder] });
  server.accept(serverSide);
  const client = await Client.connect(clientSide);
  const value = await client.eval('1 + 1');
  client.close();
  await server.close();
  return [value, code, version, valid];
}
