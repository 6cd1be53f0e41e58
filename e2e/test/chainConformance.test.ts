import { describe, expect, it } from 'vitest';
import { ALL_CASES, runConformance, type ConformanceReport } from '@scomp/conformance';
import { approval, audit, scope } from '@scomp/proxy';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtProxyBin, builtServerBin } from './support/chainProcesses.js';
import { webSocketChain } from './support/wsChain.js';

/** The server's message limit here, small so that the over-size case sends little. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
// As in the conformance package's own test: every case opens a session as the one anonymous
// principal, and the flood case needs more pending invokes than the default.
const ROOM_FOR_EVERY_CASE = { maxSessionsPerPrincipal: 10_000, maxMemoryBytesPerPrincipal: 2 ** 50, maxPendingInvokes: 10_000 };

const drafts = new Set(ALL_CASES.filter((c) => c.draft).map((c) => c.id));

/** Each case that did not pass (rules still proposed left out): `id na`, or `id fail: reason`. */
function notPassed(report: ConformanceReport): string[] {
  return report.results
    .filter((result) => result.verdict !== 'pass' && !drafts.has(result.id))
    .map((result) => (result.verdict === 'fail' ? `${result.id} fail: ${result.reason ?? ''}` : `${result.id} ${result.verdict}`))
    .sort();
}

// Every case: none needs excluding, since a chain configured with its server's limits holds every
// rule the kit checks (spec §15.1).
const cases = ALL_CASES;

describe('scomp-conformance through a chain of three components in front of scomp-server', () => {
  it('passes every case over WebSocket, every hop a WebSocket', { timeout: 600_000 }, async () => {
    await using chain = await webSocketChain(
      [audit(), approval({ effects: ['external'] }), scope({ serverBindings: ['*'] })],
      { maxMessageBytes: MAX_MESSAGE_BYTES, ...ROOM_FOR_EVERY_CASE },
    );
    const report = await runConformance({ kind: 'websocket', url: chain.url }, cases, {
      serverMaxMessageBytes: MAX_MESSAGE_BYTES,
      timeoutMs: 30_000,
    });
    // The chain does not authenticate; the conformance package checks that case on its own.
    expect(notPassed(report)).toEqual(['handshake.unauthorized na']);
    expect(report.results).toHaveLength(cases.length);
  });

  // A liveness bound only: each of some 45 cases starts four processes, minutes on a loaded machine.
  it('passes over stdio, every hop a child process over stdio', { timeout: 1_200_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scomp-chain-conformance-'));
    const file = join(dir, 'chain.json');
    const node = process.execPath;
    const limit = ['--max-message-bytes', String(MAX_MESSAGE_BYTES)];
    writeFileSync(
      file,
      JSON.stringify([
        { command: node, args: [builtProxyBin, 'approval', '--effects', 'external', ...limit] },
        { command: node, args: [builtProxyBin, 'scope', '--server-bindings', '*', ...limit] },
        { command: node, args: [builtServerBin, '--stdio', '--max-message-bytes', String(MAX_MESSAGE_BYTES), '--eval-timeout-ms', '5000'] },
      ]),
    );
    const command = `"${node}" "${builtProxyBin}" audit --max-message-bytes ${MAX_MESSAGE_BYTES} --chain "${file}"`;
    // Every case starts a whole chain here: the cases about connections, messages, calls and
    // cancels, as the conformance package runs over stdio, not the value and limit sweeps.
    const only = ['handshake.', 'messages.', 'eval.fifo', 'cancel.', 'invoke.', 'refs.nested', 'refs.connection-scope', 'sessions.resume', 'limits.message-bytes', 'limits.time'];
    const report = await runConformance({ kind: 'stdio', command }, cases, {
      serverMaxMessageBytes: MAX_MESSAGE_BYTES,
      timeoutMs: 60_000,
      only,
    });
    // Over stdio each connection is a chain of its own: what needs a second connection does not apply.
    expect(notPassed(report)).toEqual([
      'handshake.unauthorized na',
      'limits.message-bytes-close-code na',
      'refs.connection-scope-client na',
      'refs.connection-scope-server na',
      'sessions.resume na',
    ]);
    expect(report.summary.passed).toBeGreaterThan(30);
  });
});
