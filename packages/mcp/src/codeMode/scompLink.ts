import { ConnectionClosedError, DisconnectedError, type Client, type ClientOptions, type ClientState } from '@scomp/peer';

/** The scomp session behind an MCP session is gone: its connection dropped and could not be resumed. */
export class SessionLostError extends Error {
  override name = 'SessionLostError';
}

/** Whether a failed call failed because its connection dropped (rather than in the session). */
export function isDrop(error: unknown): boolean {
  return error instanceof DisconnectedError || error instanceof ConnectionClosedError;
}

/**
 * One scomp session of code mode as its connection goes: connected, resuming after a drop (the
 * client reconnects when the backend allows it), or lost for good.
 */
export class ScompLink {
  readonly client: Promise<Client>;
  /** Why the session is lost, once it is. */
  lost: SessionLostError | undefined;
  /** The session never opened (the connect failed; its caller saw why). */
  private failed = false;
  private opened = false;
  private resuming: { promise: Promise<boolean>; resolve(resumed: boolean): void } | undefined;
  private lastError: unknown;

  constructor(connect: (onStateChange: NonNullable<ClientOptions['onStateChange']>) => Promise<Client>) {
    this.client = connect((state, detail) => this.onState(state, detail?.error));
    this.client.then(
      () => (this.opened = true),
      () => (this.failed = true),
    );
  }

  /**
   * After a call failed because the connection dropped: true once the same session is resumed,
   * false when it is lost. The drop may not have reached the client yet; this waits for it.
   */
  afterDrop(): Promise<boolean> {
    if (this.lost || this.failed) return Promise.resolve(false);
    this.resuming ??= deferred();
    return this.resuming.promise;
  }

  /** Resolves when no resume is under way (true: usable; false: lost). */
  ready(): Promise<boolean> {
    if (this.lost || this.failed) return Promise.resolve(false);
    return this.resuming?.promise ?? Promise.resolve(true);
  }

  private onState(state: ClientState, error: unknown): void {
    if (error !== undefined) this.lastError = error;
    if (state === 'reconnecting') {
      this.resuming ??= deferred();
    } else if (state === 'connected') {
      this.resuming?.resolve(true);
      this.resuming = undefined;
    } else if (state === 'gave-up' || state === 'closed') {
      this.lose(this.lastError);
    }
  }

  private lose(error: unknown): void {
    if (this.lost || !this.opened) return;
    const why = error instanceof Error ? `: ${error.message}` : '';
    this.lost = new SessionLostError(
      `the connection to the scomp server dropped and its session could not be resumed${why}; ` +
        'the state of earlier evals is gone, and the next eval starts a fresh session',
    );
    this.resuming?.resolve(false);
    this.resuming = undefined;
  }
}

function deferred(): { promise: Promise<boolean>; resolve(resumed: boolean): void } {
  let resolve!: (resumed: boolean) => void;
  const promise = new Promise<boolean>((done) => (resolve = done));
  return { promise, resolve };
}
