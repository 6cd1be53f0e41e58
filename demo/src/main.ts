import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import Type from 'typebox';
import { Client, defineBinding, type HostFunction, type Transport } from '@scomp/peer';
import { tapTransport, type MessageDirection } from '@scomp/peer/authoring';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { spawnServerProcess, type ServerProcess } from '@scomp/app-server/testing';
import { abbreviate, abbreviatedDeclarations, declaredTypeNames, section, shortId, type Write } from './transcript.js';

/**
 * Starts `scomp-server` as a child process, connects a client over WebSocket and walks through
 * handshake, eval, a server→client call, a function reference and a resumed session, checking
 * each answer. Throws at the first step that does not go as expected.
 */
export async function runDemo(write: Write = (line) => console.log(line)): Promise<void> {
  write('scomp demo: a server process and a client, over WebSocket on 127.0.0.1');
  write('');
  let server: ServerProcess | undefined;
  const clients: Client[] = [];
  let serverExitCode: number | null | undefined;
  try {
    server = await spawnServerProcess([], { stdin: 'ignore', lineTimeoutMs: 15_000 });
    section(write, 'server', [`scomp-server (pid ${server.pid}) listening on ${server.url}`]);

    // The client's own binding: code in the runtime asks the user before a destructive step.
    const questions: string[] = [];
    const confirm = defineBinding({
      name: 'confirm',
      description: 'Asks the user a yes/no question.',
      input: Type.Object({ question: Type.String() }),
      output: Type.Boolean(),
      handler: ({ question }) => {
        questions.push(question);
        section(write, '', [`  the client's confirm(${JSON.stringify({ question })}) runs: the user says yes`]);
        return true;
      },
    });

    // The wire of a few steps is shown as it goes: → sent by the client, ← received.
    let showWire = false;
    const wire = (direction: MessageDirection, message: string) => {
      if (showWire) section(write, '', [`${direction === 'out' ? '→' : '←'} ${abbreviate(message, 104)}`]);
    };
    const showingWire = async <T>(run: () => Promise<T>): Promise<T> => {
      showWire = true;
      try {
        return await run();
      } finally {
        showWire = false;
      }
    };
    let transport: Transport | undefined;
    const url = server.url;
    const dial = async () => (transport = tapTransport(await connectWebSocket(url), { message: wire }));
    // A deadline on every call, so a stuck step fails the demo instead of hanging it.
    const options = { bindings: [confirm], timeoutMs: 10_000, handshakeTimeoutMs: 10_000 };
    const client = await Client.connect(dial, options);
    clients.push(client);
    const sessionId = client.sessionId;
    assert.match(sessionId, /^sess_[\w-]{22,}$/);
    const declarations = abbreviatedDeclarations(client.serverBindings);
    section(write, 'handshake', [
      `session ${shortId(sessionId)}; the server declares ${client.serverBindings.length} bindings, as TypeScript:`,
      ...declarations.map((line) => `  ${line}`),
      `  (and the types ${declaredTypeNames(client.serverBindings).join(', ')})`,
      `the client declares: confirm`,
    ]);
    assert.equal(declarations.length, client.serverBindings.length);
    assert.ok(client.serverBindings.some((binding) => binding.name === 'getOrder'));

    const evalCode = `const o = await getOrder({ id: 'o_001' }); o.total`;
    section(write, 'eval', [evalCode]);
    const total = await showingWire(() => client.eval(evalCode));
    section(write, '', [`= ${JSON.stringify(total)}`]);
    assert.equal(total, 142.5);

    const refundCode = "(await confirm({ question: `Refund ${o.id}: ${o.total} ${o.currency}?` })) ? await refund({ id: o.id }) : 'kept'";
    section(write, 'server→client', [refundCode]);
    const refunded = await showingWire(() => client.eval(refundCode));
    section(write, '', [`= ${JSON.stringify(refunded)}`]);
    assert.deepEqual(questions, ['Refund o_001: 142.5 EUR?']);
    assert.deepEqual(refunded, { id: 'o_001', refunded: 142.5 });

    const fnCode = `async ({ id }) => (await getOrder({ id })).customer`;
    section(write, 'function ref', [fnCode]);
    const customer = await showingWire(async () => {
      const customerOf = (await client.eval(fnCode)) as HostFunction;
      assert.equal(typeof customerOf, 'function');
      const answer = await customerOf({ id: 'o_003' });
      // Done with it: the server may forget the function.
      customerOf[Symbol.dispose]?.();
      return answer;
    });
    section(write, '', [`= a function, which the client called: customerOf({ id: 'o_003' }) = ${JSON.stringify(customer)}`]);
    assert.equal(customer, 'Grace Hopper');

    // Cut the connection under the client, then resume the session on a new one.
    transport!.close({ code: 4000, reason: 'simulated network drop' });
    const resumed = await Client.connect(dial, { ...options, sessionId });
    clients.push(resumed);
    const id = await resumed.eval('o.id');
    section(write, 'resume', [
      `dropped the connection; reconnected with sessionId ${shortId(sessionId)}`,
      `same session: ${resumed.sessionId === sessionId}; o.id = ${JSON.stringify(id)} (the runtime kept its state)`,
    ]);
    assert.equal(resumed.sessionId, sessionId);
    assert.equal(id, 'o_001');
  } finally {
    for (const client of clients) client.close();
    if (server) {
      // SIGTERM asks for the clean shutdown whose exit code the demo checks.
      server.kill('SIGTERM');
      serverExitCode = (await server.exited).code;
    }
    if (server) section(write, 'server', [`stopped (exit code ${serverExitCode})`]);
  }
  assert.equal(serverExitCode, 0, 'the server should shut down cleanly');
  write('');
  write('all steps passed');
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  runDemo().catch((error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  });
}
