import { InternalError } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { Channel, type Message } from '../src/worker/channel.js';

describe('worker channel', () => {
  it('fails a request whose body cannot be sent, and stops counting it as pending', async () => {
    const busy: boolean[] = [];
    const port = {
      postMessage(message: Message): void {
        structuredClone(message);
      },
    };
    const channel = new Channel(port, (state) => busy.push(state));
    const { reply } = channel.request('create', { schema: { check: () => true } }, 1);
    const error = await reply.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).message).toBe('cannot send create to the runtime thread');
    // Referenced while the request was pending, released when it failed: the thread may idle.
    expect(busy).toEqual([true, false]);
  });
});
