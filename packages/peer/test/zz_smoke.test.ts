import { it } from 'vitest';
it('smoke', async () => { await import('/tmp/decl/smoke.ts'); });
