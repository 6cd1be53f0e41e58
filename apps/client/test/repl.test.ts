import { describe, expect, it } from 'vitest';
import { serverBinPath, spawnServerProcess } from '@scomp/app-server/testing';
import { spawnScomp } from './support/scomp.js';

describe('scomp repl (without a terminal)', () => {
  it('evaluates line by line, keeps declarations, and reads incomplete input on', async () => {
    await using server = await spawnServerProcess();
    await using repl = spawnScomp(['repl', server.url]);
    repl.write('const o = await getOrder({\n');
    repl.write("  id: 'o_001',\n");
    repl.write('})\n');
    expect(await repl.nextLine('stdout', /\S/)).toBe('undefined');
    repl.write('o.total\n');
    expect(await repl.nextLine('stdout', /\S/)).toBe('142.5');
    repl.write('[1,\n2,\n3].length\n');
    expect(await repl.nextLine('stdout', /\S/)).toBe('3');
    repl.write('.exit\n');
    expect((await repl.exited).code).toBe(0);
  });

  it('shows the bindings as declarations, the session id and the help', async () => {
    await using server = await spawnServerProcess();
    await using repl = spawnScomp(['repl', server.url]);
    repl.write('.bindings\n');
    await repl.nextLine('stdout', /^declare function getOrder\(/);
    repl.write('.session\n');
    await repl.nextLine('stdout', /^sess_/);
    repl.write('.help\n');
    await repl.nextLine('stdout', /^\s+\.exit/);
    repl.write('.nope\n');
    await repl.nextLine('stdout', 'Unknown command .nope');
    repl.endInput();
    expect((await repl.exited).code).toBe(0);
  });

  it('prints errors and goes on', async () => {
    await using server = await spawnServerProcess();
    await using repl = spawnScomp(['repl', server.url]);
    repl.write("throw new RangeError('too far')\n");
    await repl.nextLine('stdout', 'Uncaught RangeError: too far');
    repl.write('40 + 2\n');
    await repl.nextLine('stdout', /^42$/);
    repl.endInput();
    expect((await repl.exited).code).toBe(0);
  });

  it('cancels a running eval on SIGINT and keeps going', async () => {
    await using server = await spawnServerProcess();
    await using repl = spawnScomp(['repl', server.url]);
    repl.write("console.log('started'); await slowLookup({ ms: 60000 })\n");
    await repl.nextLine('stderr', '[log] started');
    repl.kill('SIGINT');
    await repl.nextLine('stdout', 'Cancelled.');
    repl.write('1 + 1\n');
    await repl.nextLine('stdout', /^2$/);
    repl.endInput();
    expect((await repl.exited).code).toBe(0);
  });

  it('leaves on two SIGINTs at an idle prompt', async () => {
    await using server = await spawnServerProcess();
    await using repl = spawnScomp(['repl', server.url]);
    repl.write('1\n');
    await repl.nextLine('stdout', /^1$/);
    repl.kill('SIGINT');
    await repl.nextLine('stdout', 'press Ctrl-C again');
    repl.kill('SIGINT');
    expect(await repl.exited).toEqual({ code: 0, signal: null });
  });

  it('runs against a server it starts with --stdio', async () => {
    await using repl = spawnScomp(['repl', '--stdio', `"${process.execPath}" "${serverBinPath}" --stdio`]);
    repl.write("(await getOrder({ id: 'o_001' })).total\n");
    expect(await repl.nextLine('stdout', /\S/)).toBe('142.5');
    repl.endInput();
    expect((await repl.exited).code).toBe(0);
  });
});
