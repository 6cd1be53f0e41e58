import { parentPort, workerData } from 'node:worker_threads';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { InlineSessions } from '../inlineSessions.js';
import type { Message } from './channel.js';
import { WorkerHost } from './workerHost.js';
import type { WorkerData } from './workerPool.js';

// The thread a worker-mode factory starts: sessions on this thread's own QuickJS instances.
const data = workerData as WorkerData;
// Bindings defined in a module run their handlers here, and the host may speak its protocol on
// stdout (a stdio server): what they log goes to stderr, as a stdio command does with its own.
const toStderr = (...args: unknown[]) => console.error(...args);
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;
const variant = (await import(data.variant)) as { default: QuickJSSyncVariant };
const port = parentPort!;
// The thread's sessions end with it, so it keeps one VM made ahead for the next session, made
// once no session was created for a moment (a burst of connects pays for no VMs made in between).
const SPARE_AFTER_IDLE_MS = 10;
const sessions = new InlineSessions({ ...data.options, variant: variant.default, clock: () => performance.now(), spareAfterIdleMs: SPARE_AFTER_IDLE_MS });
const host = new WorkerHost(port, data.shared, sessions);
port.on('message', (message: Message | string) => host.receive(message));
// Binding modules the factory's sessions used: imported now rather than on a session's first eval.
host.preload(data.preload);
// Instantiating WebAssembly and compiling the prelude take a while: do it before the first session asks.
void sessions.warm();
