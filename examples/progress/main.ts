import assert from 'node:assert/strict';
import Type from 'typebox';
import { defineBinding } from '@scomp/peer';
import { startLocalServer } from '../shared/localServer.js';
import { runWhenMain, type Log } from '../shared/runMain.js';

export async function run(log: Log = () => {}) {
  // Server side: a slow-ish export, one order at a time.
  const exportOrder = defineBinding({
    name: 'exportOrder',
    input: Type.Object({ id: Type.String() }),
    output: Type.Object({ id: Type.String(), bytes: Type.Integer() }),
    effects: ['external'],
    handler: ({ id }) => ({ id, bytes: id.length * 100 }),
  });

  // Client side: bindings the runtime calls back. `notify` is awaited by the code that calls it.
  const progress: string[] = [];
  const notify = defineBinding({
    name: 'notify',
    description: 'Shows a progress line to the user.',
    input: Type.Object({ message: Type.String(), percent: Type.Number({ minimum: 0, maximum: 100 }) }),
    handler: ({ message, percent }) => {
      progress.push(`${percent}% ${message}`);
      log(`  [notify] ${percent}% ${message}`);
    },
  });
  // The reserved `console` binding receives console.log & co. as fire-and-forget calls.
  const logged: unknown[][] = [];
  let sawDone!: () => void;
  const done = new Promise<void>((resolve) => (sawDone = resolve));
  const consoleBinding = defineBinding({
    name: 'console',
    input: Type.Object({ level: Type.String(), args: Type.Array(Type.Unknown()) }),
    handler: ({ level, args }) => {
      logged.push([level, ...args]);
      log(`  [console.${level}] ${args.map((a) => JSON.stringify(a)).join(' ')}`);
      if (args[0] === 'done') sawDone();
    },
  });

  await using server = await startLocalServer([exportOrder]);
  await using client = await server.connect({ bindings: [notify, consoleBinding] });

  const total = await client.eval(`
    const ids = ['o_001', 'o_002', 'o_003'];
    let bytes = 0;
    for (const [i, id] of ids.entries()) {
      bytes += (await exportOrder({ id })).bytes;
      await notify({ message: 'exported ' + id, percent: Math.round(((i + 1) / ids.length) * 100) });
    }
    console.log('done', { bytes });
    bytes
  `);
  // console calls need no answer, so the eval may finish before the last one arrives.
  await done;
  log(`eval returned ${String(total)}`);

  assert.equal(total, 1500);
  assert.deepEqual(progress, ['33% exported o_001', '67% exported o_002', '100% exported o_003']);
  assert.deepEqual(logged, [['log', 'done', { bytes: 1500 }]]);
  return { total, progress };
}

runWhenMain(import.meta.url, run);
