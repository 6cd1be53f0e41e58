import type { Transport } from '@scomp/peer';

export interface Frame {
  direction: 'out' | 'in';
  bytes: number;
  text: string;
}

/**
 * Wraps a transport to log the frames it carries while `recording` is set, so each baseline can
 * use exactly the message sizes scomp put on the wire.
 */
export class FrameLog {
  recording = false;
  readonly frames: Frame[] = [];

  wrap(transport: Transport): Transport {
    const log = (direction: Frame['direction'], text: string): void => {
      if (this.recording) this.frames.push({ direction, bytes: Buffer.byteLength(text), text: text.slice(0, 120) });
    };
    return {
      start: (handler) =>
        transport.start({
          message: (data) => {
            log('in', data);
            handler.message(data);
          },
          close: (info) => handler.close(info),
        }),
      send: (message) => {
        log('out', message);
        transport.send(message);
      },
      close: (info) => transport.close(info),
      get closed() {
        return transport.closed;
      },
      get ended() {
        return transport.ended;
      },
    };
  }

  /** Runs `action` and returns the frames it caused. */
  async record(action: () => Promise<unknown>): Promise<Frame[]> {
    this.frames.length = 0;
    this.recording = true;
    try {
      await action();
    } finally {
      this.recording = false;
    }
    return [...this.frames];
  }
}

/** Sizes of the first outbound and first inbound frame matching `pattern`. */
export function sizes(frames: Frame[], out: RegExp, inbound: RegExp): { out: number; in: number } {
  const o = frames.find((f) => f.direction === 'out' && out.test(f.text));
  const i = frames.find((f) => f.direction === 'in' && inbound.test(f.text));
  if (!o || !i) throw new Error(`frames not found: ${JSON.stringify(frames)}`);
  return { out: o.bytes, in: i.bytes };
}
