import { AbortedError, CancelledError, ConnectionClosedError, DisconnectedError, release, retain, type HostFunction } from '@scomp/peer';

function collect(value: unknown, found: HostFunction[], depth: number): void {
  if (typeof value === 'function') found.push(value as HostFunction);
  else if (typeof value === 'object' && value !== null && depth < 256) {
    for (const item of Array.isArray(value) ? value : Object.values(value)) collect(item, found, depth + 1);
  }
}

/**
 * Forwards a call carrying function values to the next hop. The functions are retained so that
 * their lifetime is decided where the call ends (the far side releases what it does not keep, and
 * that release travels back hop by hop); a call refused before it was sent releases them here.
 */
export async function forwardCall(
  args: unknown,
  component: string,
  send: (markSent: () => void) => Promise<unknown>,
): Promise<unknown> {
  const functions: HostFunction[] = [];
  collect(args, functions, 0);
  for (const fn of functions) retain(fn);
  let sent = false;
  try {
    return await send(() => {
      sent = true;
    });
  } catch (error) {
    if (!sent) for (const fn of functions) release(fn);
    throw hopError(error, component);
  }
}

/**
 * Local errors of the downstream client as the wire errors the upstream would get from the server
 * alone: a connection that closed under a call becomes Disconnected naming the component that lost
 * it (a local ConnectionClosed would reach the caller as a bare internal error).
 */
export function hopError(error: unknown, component: string): unknown {
  if (error instanceof ConnectionClosedError) {
    return new DisconnectedError(`${component}: downstream ${error.message}`, { component });
  }
  // A call cancelled upstream was cancelled downstream too, which answers Cancelled; the local
  // AbortedError would reach a retry of a keyed eval as an internal error.
  if (error instanceof AbortedError) return new CancelledError('cancelled');
  return error;
}
