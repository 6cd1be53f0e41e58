import { it } from 'vitest';
import { withSession } from './support.js';
it('probe', () => withSession({ limits: { evalTimeoutMs: 300 } }, async (runtime: any) => {
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const p = runtime.eval(i % 2 ? 'for (;;) {}' : 'const spin = () => Promise.resolve().then(spin); await spin()').catch((e: any) => e.data);
    const iv = setInterval(() => console.log('  tick', i, 'elapsed', Math.round(runtime.budget.elapsedMs()), 'depth', (runtime.budget as any).depth, 'sched', runtime.pumpScheduled, 'pending', runtime.vm.runtime.hasPendingJob(), 'interrupt', runtime.interrupt, 'cur', !!runtime.current), 500);
    const r = await Promise.race([p, new Promise((r) => setTimeout(() => r('HUNG'), 1600))]);
    clearInterval(iv);
    console.log(i, Math.round(performance.now() - t), JSON.stringify(r));
    if (r === 'HUNG') break;
  }
}), 60000);
