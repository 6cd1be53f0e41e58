import { startServer } from '@scomp/app-server';
import { serverBinPath } from '@scomp/app-server/testing';

// Every case opens a session as the same anonymous principal, and detached ones are kept for
// resumes: the kit needs more sessions than scomp-server's default quotas allow one principal, and
// its flood case more server→client invokes awaiting an answer than --max-pending-invokes allows.
const ROOM_FOR_EVERY_CASE = { maxSessionsPerPrincipal: 10_000, maxMemoryBytesPerPrincipal: 2 ** 50, maxPendingInvokes: 10_000 };
import { describe, expect, it } from 'vitest';
import { ALL_CASES, runConformance, type ConformanceReport } from '../src/index.js';
import { main } from '../src/main.js';
import { startBrokenServer } from './support/brokenServer.js';

/** The server's message limit in these tests: small, so the over-size case sends little. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

function output() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text) },
  };
}

function failures(report: ConformanceReport) {
  return report.results.filter((result) => result.verdict === 'fail');
}

/** Ids of the cases that did not apply, apart from rules still proposed (which the server may not follow yet). */
function notApplicable(report: ConformanceReport): string[] {
  const drafts = new Set(ALL_CASES.filter((c) => c.draft).map((c) => c.id));
  return report.results.filter((result) => result.verdict === 'na' && !drafts.has(result.id)).map((result) => result.id);
}

describe('scomp-conformance against scomp-server', () => {
  it('passes every case over WebSocket', { timeout: 300_000 }, async () => {
    await using server = await startServer({ maxMessageBytes: MAX_MESSAGE_BYTES, ...ROOM_FOR_EVERY_CASE });
    const report = await runConformance({ kind: 'websocket', url: server.url }, ALL_CASES, {
      serverMaxMessageBytes: MAX_MESSAGE_BYTES,
      timeoutMs: 30_000,
    });
    expect(failures(report)).toEqual([]);
    // The server does not authenticate; a test below checks that case against one that does.
    expect(notApplicable(report)).toEqual(['handshake.unauthorized']);
    expect(report.summary.passed + report.summary.notApplicable).toBe(ALL_CASES.length);
  });

  it('passes over stdio, where the cases that need a second connection do not apply', { timeout: 300_000 }, async () => {
    // A cancel reaches the first eval of a freshly started runtime only at its CPU limit (a runtime
    // issue the cancel case exposes over stdio, where every case starts a server): keep that limit short.
    const command = `"${process.execPath}" "${serverBinPath}" --stdio --max-message-bytes ${MAX_MESSAGE_BYTES} --eval-timeout-ms 5000`;
    const only = ['handshake.', 'server-bindings.', 'messages.', 'eval.fifo', 'cancel.', 'invoke.', 'refs.nested', 'refs.connection-scope', 'sessions.resume', 'limits.message-bytes', 'limits.time'];
    const report = await runConformance({ kind: 'stdio', command }, ALL_CASES, {
      serverMaxMessageBytes: MAX_MESSAGE_BYTES,
      timeoutMs: 30_000,
      only,
    });
    expect(failures(report)).toEqual([]);
    expect(notApplicable(report).sort()).toEqual([
      'handshake.unauthorized',
      'limits.message-bytes-close-code',
      'refs.connection-scope-client',
      'refs.connection-scope-server',
      'server-bindings.resume-keeps-view',
      'sessions.resume',
    ]);
    expect(report.summary.passed).toBeGreaterThan(30);
  });

  it('prints one line per case and the summary, and exits 0', { timeout: 120_000 }, async () => {
    await using server = await startServer();
    const { out, io } = output();
    const code = await main([server.url, '--only', 'handshake.result', '--only', 'messages.batch', '--only', 'invoke.by-name'], io);
    expect(code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toEqual([
      `scomp-conformance against ${server.url}`,
      expect.stringMatching(/^PASS §5\.1 +MUST +handshake\.result: /),
      expect.stringMatching(/^PASS §3 +MUST +messages\.batch: /),
      expect.stringMatching(/^PASS §7\.1 +MUST +invoke\.by-name: /),
      '3 passed, 0 failed, 0 not applicable',
    ]);
  });

  it('writes a JSON report with --json', { timeout: 120_000 }, async () => {
    await using server = await startServer();
    const { out, io } = output();
    expect(await main([server.url, '--json', '--only', 'refs.invoke'], io)).toBe(0);
    const report = JSON.parse(out.stdout) as ConformanceReport;
    expect(report).toMatchObject({
      target: server.url,
      protocol: '0.1',
      results: [{ id: 'refs.invoke', section: '§8.3', level: 'MUST', verdict: 'pass' }],
      summary: { passed: 1, failed: 0, mustFailed: 0, notApplicable: 0 },
    });
  });

  it('reports N/A with what is missing when the server has no echo binding', { timeout: 120_000 }, async () => {
    await using server = await startServer({ bindings: [] });
    const { out, io } = output();
    expect(await main([server.url, '--only', 'invoke.by-name', '--only', 'invoke.invalid-args'], io)).toBe(0);
    expect(out.stdout).toMatch(/^N\/A {2}§7\.1 +MUST +invoke\.by-name: .* — needs a server binding "echo" that returns its argument unchanged$/m);
    expect(out.stdout).toMatch(/^N\/A {2}§11\.5 +MUST +invoke\.invalid-args: .* — needs a server binding whose input schema has "type": "object"$/m);
    // invoke.invalid-args also selects invoke.invalid-args-message.
    expect(out.stdout).toMatch(/^0 passed, 0 failed, 3 not applicable$/m);
  });
});

describe('scomp-conformance against a server that authenticates', () => {
  it('sends the --metadata credentials and checks that a handshake without them is refused', { timeout: 120_000 }, async () => {
    await using server = await startServer({ token: 'conformance-token' });
    const { out, io } = output();
    const code = await main([server.url, '--metadata', '{"token":"conformance-token"}', '--only', 'handshake.unauthorized', '--only', 'refs.invoke'], io);
    expect(out.stdout).toMatch(/^PASS §5\.1 +MUST +handshake\.unauthorized: /m);
    expect(out.stdout).toMatch(/^PASS §8\.3 +MUST +refs\.invoke: /m);
    expect(code).toBe(0);
  });

  it('reports the credentials case N/A without --metadata', { timeout: 120_000 }, async () => {
    await using server = await startServer();
    const { out, io } = output();
    expect(await main([server.url, '--only', 'handshake.unauthorized'], io)).toBe(0);
    expect(out.stdout).toMatch(/^N\/A {2}§5\.1 +MUST +handshake\.unauthorized: .* — needs a server that authenticates by handshake metadata, given with --metadata$/m);
  });
});

describe('scomp-conformance against a server that breaks a rule', () => {
  it('prints a FAIL line naming the rule and exits 1', { timeout: 120_000 }, async () => {
    await using server = await startBrokenServer();
    const { out, io } = output();
    // Only the handshake cases: each refused handshake waits --timeout-ms for a close that never comes.
    const code = await main([server.url, '--timeout-ms', '5000', '--only', 'handshake.result', '--only', 'handshake.version-refused'], io);
    expect(code).toBe(1);
    expect(out.stdout).toMatch(
      /^FAIL §5\.2 +MUST +handshake\.version-refused: .* — handshake with protocol 0\.999: handshake errors are terminal \(§4\), but the server kept the connection open$/m,
    );
    expect(out.stdout).toMatch(/^PASS §5\.1 +MUST +handshake\.result: /m);
    expect(out.stdout).toMatch(/^1 passed, 1 failed \(1 MUST, 0 SHOULD\), 0 not applicable$/m);
  });
});

describe('scomp-conformance command line', () => {
  it('refuses a command line without a server, exiting 2', async () => {
    const { out, io } = output();
    expect(await main([], io)).toBe(2);
    expect(out.stderr).toMatch(/^scomp-conformance: give either a ws:\/\/ or wss:\/\/ URL or --stdio "<command>"/);
    expect(await main(['http://x', '--json'], io)).toBe(2);
    expect(await main(['ws://x', '--stdio', 'node server.js'], io)).toBe(2);
    expect(await main(['ws://x', '--metadata', '[1]'], io)).toBe(2);
  });

  it('exits 1 with one clear line when no server answers', async () => {
    const { out, io } = output();
    expect(await main(['ws://127.0.0.1:1'], io)).toBe(1);
    expect(out.stderr).toMatch(/^scomp-conformance: could not handshake with ws:\/\/127\.0\.0\.1:1: /);
    expect(out.stdout).toBe('scomp-conformance against ws://127.0.0.1:1\n');
  });

  it('lists every case with its section and level', async () => {
    const { out, io } = output();
    expect(await main(['--list'], io)).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(ALL_CASES.length);
    expect(lines).toContain(`§9     MUST   cancel.running-eval: ${ALL_CASES.find((c) => c.id === 'cancel.running-eval')!.title}`);
    expect(new Set(ALL_CASES.map((c) => c.id)).size).toBe(ALL_CASES.length);
  });
});
