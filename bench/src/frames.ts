import type { Transport } from '@scomp/peer';
import { tapTransport, utf8ByteLength, type MessageDirection } from '@scomp/peer/authoring';

export interface Frame {
  direction: MessageDirection;
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
    return tapTransport(transport, {
      message: (direction, text) => {
        if (this.recording) this.frames.push({ direction, bytes: utf8ByteLength(text), text: text.slice(0, 120) });
      },
    });
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
