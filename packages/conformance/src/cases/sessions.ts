import { check, show, type ConformanceCase } from '../case.js';
import { expectResult, expectValue } from '../expect.js';

export const sessionCases: readonly ConformanceCase[] = [
  {
    id: 'sessions.resume',
    section: '§10',
    level: 'MUST',
    title: 'a handshake with sessionId resumes the session: resumed: true, same id, state kept',
    needs: ['javascript', 'reconnect'],
    async run(ctx) {
      const first = await ctx.session();
      expectResult(await first.connection.request('eval', { code: "globalThis.resumeMark = 'kept'" }), 'eval on the first connection');
      const second = await ctx.resume(first);
      check(second.result.resumed === true, `a resume must answer resumed: true, got ${show(second.result.resumed)}`);
      check(second.sessionId === first.sessionId, `the resume answered another session id: ${show(second.sessionId)}`);
      expectValue(await second.connection.request('eval', { code: 'resumeMark' }), 'kept', 'the state after the resume');
    },
  },
  {
    id: 'sessions.takeover',
    section: '§10',
    level: 'MUST',
    title: 'a resume of a session attached elsewhere succeeds and closes the old connection',
    needs: ['javascript', 'reconnect'],
    async run(ctx) {
      const first = await ctx.session();
      const second = await ctx.session({ sessionId: first.sessionId });
      check(second.result.resumed === true, `the takeover must answer resumed: true, got ${show(second.result.resumed)}`);
      try {
        await first.connection.whenClosed();
      } catch {
        check(false, 'the old connection stayed open after another connection resumed its session');
      }
      expectResult(await second.connection.request('eval', { code: '1' }), 'eval on the new connection');
    },
  },
  {
    id: 'sessions.takeover-close-code',
    section: '§2',
    level: 'SHOULD',
    title: 'a connection closed by a takeover is closed with WebSocket code 4001',
    needs: ['reconnect', 'websocket'],
    async run(ctx) {
      const first = await ctx.session();
      await ctx.session({ sessionId: first.sessionId });
      const info = await first.connection.whenClosed();
      check(info.code === 4001, `expected close code 4001, got ${show(info.code)}`);
    },
  },
  {
    id: 'sessions.keyed-retry',
    section: '§6.5',
    level: 'MUST',
    title: 'a keyed eval retried after a reconnect is answered from the stored outcome, not run again',
    needs: ['javascript', 'reconnect'],
    async run(ctx) {
      const first = await ctx.session();
      const code = 'globalThis.retried = (globalThis.retried ?? 0) + 1; retried';
      expectValue(await first.connection.request('eval', { code, key: 'conformance-retry' }), 1, 'the first run');
      const second = await ctx.resume(first);
      expectValue(await second.connection.request('eval', { code, key: 'conformance-retry' }), 1, 'the retry after the reconnect');
      expectValue(await second.connection.request('eval', { code: 'retried' }), 1, 'the run count');
    },
  },
  {
    id: 'sessions.eval-outlives-connection',
    section: '§4',
    level: 'MUST',
    title: 'an eval accepted before its connection closed runs to completion and its keyed outcome is kept',
    needs: ['javascript', 'reconnect'],
    async run(ctx) {
      const first = await ctx.session();
      const code = 'let total = 0; for (let i = 0; i < 200000; i++) total += i; globalThis.outlived = total; total';
      first.connection.send({ jsonrpc: '2.0', id: first.connection.id(), method: 'eval', params: { code, key: 'conformance-outlive' } });
      const second = await ctx.resume(first);
      expectValue(await second.connection.request('eval', { code, key: 'conformance-outlive' }), 19999900000, 'the retry after the reconnect');
      expectValue(await second.connection.request('eval', { code: 'outlived' }), 19999900000, 'the global the eval set');
    },
  },
];
