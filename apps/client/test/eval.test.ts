import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverBinPath, spawnServerProcess } from '@scomp/app-server/testing';
import { runScomp, spawnScomp } from './support/scomp.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ORDER_TOTAL = "const o = await getOrder({ id: 'o_001' }); o.total";

describe('scomp eval', () => {
  it('prints the value of the code', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['eval', server.url, ORDER_TOTAL]);
    expect(run).toMatchObject({ code: 0, stdout: '142.5\n' });
  });

  it('prints {value, sessionId} with --json, and keeps state across calls with --session', async () => {
    await using server = await spawnServerProcess();
    const first = await runScomp(['eval', server.url, '--json', ORDER_TOTAL]);
    expect(first.code).toBe(0);
    const { value, sessionId } = JSON.parse(first.stdout) as { value: number; sessionId: string };
    expect(value).toBe(142.5);
    expect(sessionId).toMatch(/^sess_/);
    const second = await runScomp(['eval', server.url, '--session', sessionId, '--json', 'o.customer']);
    expect(JSON.parse(second.stdout)).toEqual({ value: 'Ada Lovelace', sessionId });
    const fresh = await runScomp(['eval', server.url, 'typeof o']);
    expect(fresh.stdout).toBe('undefined\n');
  });

  it('fails with exit code 3 for an unknown session', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['eval', server.url, '--session', 'sess_AAAAAAAAAAAAAAAAAAAAAA', '1']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/SessionNotFound/);
  });

  it('prints what the code threw and exits 1', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['eval', server.url, "throw new TypeError('no such thing')"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Uncaught TypeError: no such thing/);
  });

  it('prints {error: {code, message, data}} with --json and exits 1', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['eval', server.url, '--json', 'missingName']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { code: -32020, message: expect.any(String), data: { name: 'ReferenceError' } },
      sessionId: expect.stringMatching(/^sess_/),
    });
  });

  it('reads the code from --file', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['eval', server.url, '--file', fixture('code.js')]);
    expect(run).toMatchObject({ code: 0, stdout: 'ms-01,pd-03\n' });
  });

  it("prints the runtime's console output to stderr with its level", async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['eval', server.url, "console.log('hello', { a: 1 }); console.error('oops'); 'done'"]);
    expect(run.stdout).toBe('done\n');
    expect(run.stderr).toContain('[log] hello { a: 1 }\n');
    expect(run.stderr).toContain('[error] oops\n');
  });

  it('lets server code call the bindings of a --bindings module on the client', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp([
      'eval', server.url, '--bindings', fixture('clientBindings.ts'),
      "[await confirm({ question: 'ok to refund?' }), await confirm({ question: 'delete?' })]",
    ]);
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ code: 0, stdout: '[ true, false ]\n' });
  });

  it('starts the server itself with --stdio', async () => {
    const run = await runScomp(['eval', '--stdio', `"${process.execPath}" "${serverBinPath}" --stdio`, ORDER_TOTAL]);
    expect(run).toMatchObject({ code: 0, stdout: '142.5\n' });
  });

  it('sends the token from --token or SCOMP_TOKEN, and exits 3 when it is refused', async () => {
    await using server = await spawnServerProcess(['--token', 's3cret']);
    const missing = await runScomp(['eval', server.url, '1']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/Unauthorized/);
    const wrong = await runScomp(['eval', server.url, '1', '--token', 'guess', '--json']);
    expect(wrong.code).toBe(3);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ error: { code: -32003, message: expect.any(String) } });
    expect(await runScomp(['eval', server.url, '1', '--token', 's3cret'])).toMatchObject({ code: 0, stdout: '1\n' });
    expect(await runScomp(['eval', server.url, '2'], { env: { SCOMP_TOKEN: 's3cret' } })).toMatchObject({ code: 0, stdout: '2\n' });
  });

  it('exits 3 when nothing listens at the URL', async () => {
    const server = await spawnServerProcess();
    const url = server.url;
    server.kill('SIGTERM');
    await server.exited;
    const run = await runScomp(['eval', url, '1']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/could not connect/);
  });

  it('exits 1 with a clear error when the server shuts down during the eval', async () => {
    await using server = await spawnServerProcess();
    await using scomp = spawnScomp(['eval', server.url, "console.log('started'); await slowLookup({ ms: 60000 })"]);
    await scomp.nextLine('stderr', '[log] started');
    server.kill('SIGTERM');
    expect((await scomp.exited).code).toBe(1);
    expect(scomp.stderr).toMatch(/connection closed: server is shutting down/);
    expect((await server.exited).code).toBe(0);
  });

  it('cancels the eval on Ctrl-C (SIGINT) and exits 130', async () => {
    await using server = await spawnServerProcess();
    await using scomp = spawnScomp(['eval', server.url, "console.log('started'); await slowLookup({ ms: 60000 })"]);
    await scomp.nextLine('stderr', '[log] started');
    scomp.kill('SIGINT');
    expect((await scomp.exited).code).toBe(130);
    expect(scomp.stderr).toContain('Cancelled.');
  });

  it('prints usage errors with exit code 2, and help with exit code 0', async () => {
    const bad = await runScomp(['eval', 'ws://127.0.0.1:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('missing <code>');
    const unknown = await runScomp(['eval', 'ws://127.0.0.1:1', '1', '--nope']);
    expect(unknown.code).toBe(2);
    const help = await runScomp(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:/);
  });
});
