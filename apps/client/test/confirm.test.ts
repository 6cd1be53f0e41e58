import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startServer } from '@scomp/app-server';
import { approval, createComponent } from '@scomp/proxy';
import { serveComponent, webSocketDownstream } from '@scomp/proxy/node';
import { main, parseClientArgs } from '../src/index.js';

// Guest code calling one of the terminal's own bindings, whose effects (external) the approval
// component gates: the call crosses the component on its way to the client.
const SHOW = "await html_panel.show({ id: 'plan', label: 'Plan', contents: '<b>ship it</b>' }); 'shown'";

/** `scomp-server` behind an approval component, both in this process over WebSocket. */
async function approvalInFront() {
  const server = await startServer();
  const component = await serveComponent(createComponent({ ...approval(), downstream: webSocketDownstream(server.url), downstreamReconnect: true }), {
    port: 0,
  });
  return {
    url: component.url!,
    async [Symbol.asyncDispose]() {
      await component.close();
      await server.close();
    },
  };
}

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs `scomp` in this process; `input` is what the user types, `isTTY` whether stdin claims to be a terminal. */
async function scomp(argv: string[], input: string, isTTY = false) {
  const stdin = Object.assign(new PassThrough(), { isTTY });
  stdin.end(input);
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdin, stdout: stdout.stream, stderr: stderr.stream, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('confirm in scomp', () => {
  it('asks on a terminal and lets the call through on y', async () => {
    await using chain = await approvalInFront();
    const run = await scomp(['eval', chain.url, SHOW], 'y\n', true);
    expect(run.stderr).toContain("[confirm] Allow html_panel.show (external)?\n  args: { id: 'plan', label: 'Plan', contents: '<b>ship it</b>' }\n  allow? [y/N]   allowed\n");
    expect(run.stderr).toContain('┌ panel Plan (plan)\nship it\n');
    expect(run).toMatchObject({ code: 0, stdout: 'shown\n' });
  });

  it('refuses on anything but y, and the guest sees the refusal as a thrown error', async () => {
    await using chain = await approvalInFront();
    const run = await scomp(['eval', chain.url, `try { ${SHOW} } catch (e) { e.name + ': ' + e.message }`], 'n\n', true);
    expect(run.stderr).toContain('  refused\n');
    expect(run.stdout).toBe('UnauthorizedError: approval: html_panel.show was not approved (declined)\n');
    expect(run.code).toBe(0);
  });

  it('refuses without a terminal by default, since nobody can answer', async () => {
    await using chain = await approvalInFront();
    const run = await scomp(['eval', chain.url, SHOW], 'y\n');
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('[confirm]');
    expect(run.stderr).toMatch(/approval: html_panel.show was not approved \(the client offers no confirm binding\)/);
  });

  it('allows every call with --yes, and reads piped answers with --confirm ask', async () => {
    await using chain = await approvalInFront();
    const allowed = await scomp(['eval', chain.url, '--yes', SHOW], '');
    expect(allowed).toMatchObject({ code: 0, stdout: 'shown\n' });
    expect(allowed.stderr).toContain('allowed (--yes)');
    const piped = await scomp(['eval', chain.url, '--confirm', 'ask', SHOW], 'yes\n');
    expect(piped).toMatchObject({ code: 0, stdout: 'shown\n' });
    const ended = await scomp(['eval', chain.url, '--confirm', 'ask', SHOW], '');
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('refused (end of input)');
  });

  it('in the REPL, takes the answer from the line after the code', async () => {
    await using chain = await approvalInFront();
    const run = await scomp(['repl', chain.url, '--confirm', 'ask'], `${SHOW}\ny\n${SHOW}\nno\n1 + 1\n`);
    expect(run.stdout.split('\n').filter((line) => line !== '')).toEqual([
      "'shown'",
      'Uncaught UnauthorizedError: approval: html_panel.show was not approved (declined)',
      expect.stringMatching(/^ +at <eval>/),
      '2',
    ]);
    expect(run.code).toBe(0);
  });

  it('checks the confirm options', () => {
    expect(parseClientArgs(['eval', 'ws://x', '--yes', '1'])).toMatchObject({ connect: { confirm: 'yes' } });
    expect(parseClientArgs(['repl', 'ws://x', '--confirm', 'no'])).toMatchObject({ connect: { confirm: 'no' } });
    expect(() => parseClientArgs(['eval', 'ws://x', '--confirm', 'maybe', '1'])).toThrow('--confirm: "maybe" is not one of ask, yes, no');
    expect(() => parseClientArgs(['eval', 'ws://x', '--confirm', 'no', '--yes', '1'])).toThrow('--yes contradicts --confirm no');
    expect(() => parseClientArgs(['bindings', 'ws://x', '--yes'])).toThrow('--confirm does not apply to "bindings"');
  });
});
