import type { InstanceStats } from '../src/inlineSessions.js';
import { describe, expectTypeOf, it } from 'vitest';
import { Channel } from '../src/worker/channel.js';
import type { Carried, ToSupervisor, ToWorker } from '../src/worker/operations.js';

const port = { postMessage: () => {} };

describe('worker channel operations', () => {
  it('types each request body and reply from the table of the side that sends it', () => {
    const supervisor = new Channel<ToWorker, ToSupervisor>(port);
    expectTypeOf(supervisor.request('dispose', { session: 1 }, 1).reply).resolves.toEqualTypeOf<InstanceStats>();
    expectTypeOf(supervisor.request('eval', { session: 1, code: '1' }, 1).reply).resolves.toEqualTypeOf<{
      value: Carried | undefined;
      instances: InstanceStats;
    }>();
    // @ts-expect-error the supervising side serves binding calls, it does not make them
    supervisor.request('binding', { session: 1, kind: 'server', name: 'x', args: undefined }, 1);
    // @ts-expect-error an eval needs its code
    supervisor.request('eval', { session: 1 }, 1);
    // @ts-expect-error notes are checked too
    supervisor.note('cancel', { id: 'one', reason: null });
  });

  it('types what a side serves from the table of the other side', () => {
    const worker = new Channel<ToSupervisor, ToWorker>(port);
    worker.handle('eval', async (body) => {
      expectTypeOf(body.timeoutMs).toEqualTypeOf<number | undefined>();
      return { value: undefined, instances: { modules: 0, brokenModules: 0, sessions: 0, spareVms: 0, memoryBytes: 0 } };
    });
    // @ts-expect-error a reply must match the operation's reply type
    worker.handle('dispose', async () => ({ value: 1 }));
    worker.on('clientBindings', (body) => expectTypeOf(body.session).toEqualTypeOf<number>());
  });
});
