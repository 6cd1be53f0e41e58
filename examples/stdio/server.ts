// A scomp server for one client that talks over this process's stdin/stdout.
// Its client starts it (see main.ts); it exits when the client closes stdin.
import Type from 'typebox';
import { Server, defineBinding } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { serveStdio } from '@scomp/transport-stdio';

const getOrder = defineBinding({
  name: 'getOrder',
  description: 'Fetch one order by id.',
  input: Type.Object({ id: Type.String() }),
  output: Type.Object({ id: Type.String(), total: Type.Number(), servedBy: Type.Integer() }),
  effects: ['read'],
  handler: ({ id }) => ({ id, total: 142.5, servedBy: process.pid }),
});

const server = new Server({ runtime: () => createQuickJsRuntimeFactory(), bindings: [getOrder] });
// stdout carries the protocol, so anything human-readable goes to stderr.
process.stderr.write(`scomp server ${process.pid} serving on stdio\n`);
const transport = serveStdio();
server.accept(transport);
// The client closed stdin: close the server, which closes the factory it created.
await transport.ended;
await server.close();
