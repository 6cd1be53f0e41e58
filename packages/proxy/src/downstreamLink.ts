import { Client, ConnectionClosedError, DisconnectedError, type Binding, type Transport } from '@scomp/peer';
import type { BindingMeta, ServerBindingScope } from '@scomp/protocol';
import { hopError } from './forward.js';
import type { ComponentOptions } from './options.js';

export interface DownstreamLinkOptions {
  /** The component session's id, as its `onDownstreamClosed` reports it. */
  sessionId: string;
  component: ComponentOptions;
  /** Handshake metadata sent downstream (the upstream's, plus the component's). */
  metadata: Record<string, unknown>;
  /** The narrowing sent downstream: the upstream's combined with the component's (spec §15.2). */
  serverBindings?: ServerBindingScope;
  /** The bindings to declare downstream for the upstream's client bindings `metas`. */
  declare(metas: readonly BindingMeta[]): Binding[];
}

/**
 * A component session's connection to its downstream session. It resumes the downstream session
 * on a new connection when the upstream's client bindings change, and tells the errors of its own
 * connection (which name the component upstream) from the errors it relays.
 */
export class DownstreamLink {
  private client!: Client;
  /** The downstream transport when the component opened it (no reconnects), to wait for its end on dispose. */
  private transport: Transport | undefined;
  private closedByUs = false;
  /** Settles when the downstream session has been resumed with the upstream's new bindings. */
  private switching: Promise<void> = Promise.resolve();
  private replacing = false;
  /** Times the downstream connection dropped (and the client began resuming). */
  private drops = 0;

  private constructor(private readonly options: DownstreamLinkOptions) {}

  static async open(metas: readonly BindingMeta[], options: DownstreamLinkOptions): Promise<DownstreamLink> {
    const link = new DownstreamLink(options);
    if (!options.component.downstreamReconnect) link.transport = await options.component.downstream();
    link.client = await link.connect(metas, link.transport);
    return link;
  }

  /** Whether the downstream can take a new connection to the same session (not a child over stdio). */
  get resumable(): boolean {
    return this.options.component.downstreamReconnect === true;
  }

  get serverBindings(): readonly BindingMeta[] {
    return this.client.serverBindings;
  }

  get serverMetadata(): Record<string, unknown> | undefined {
    return this.client.serverMetadata;
  }

  get sessionId(): string {
    return this.client.sessionId;
  }

  /**
   * Declares `metas` to the downstream session, as the server alone would replace a resumed
   * session's client bindings: on a new connection when the downstream can take one, else on this
   * connection (a re-declare, spec §10). Calls made meanwhile wait for it. `onRefused` hears of a
   * downstream that refuses a re-declare, which keeps the list it has.
   */
  redeclare(metas: readonly BindingMeta[], onRefused: (error: unknown) => void): void {
    if (!this.resumable) {
      const client = this.client;
      const swap = (async () => {
        await this.switching;
        if (!this.closedByUs) await client.experimental_redeclare(this.options.declare(metas));
      })();
      this.switching = swap.catch(onRefused);
      return;
    }
    const previous = this.client;
    const swap = (async () => {
      await this.switching;
      if (this.closedByUs) return;
      const sessionId = this.client.sessionId;
      this.replacing = true;
      this.client.close();
      try {
        this.client = await this.connect(metas, undefined, sessionId);
        if (this.closedByUs) this.client.close();
      } finally {
        this.replacing = false;
      }
    })();
    const { component, sessionId } = this.options;
    this.switching = swap.catch((error: unknown) => {
      component.onFault?.(error);
      if (this.client === previous) component.onDownstreamClosed?.({ sessionId, reason: (error as Error).message });
    });
  }

  async eval(code: string, options: Parameters<Client['eval']>[1]): Promise<unknown> {
    const client = await this.ready();
    const drops = this.drops;
    try {
      return await client.eval(code, options);
    } catch (error) {
      if (this.drops !== drops) throw this.droppedError(error);
      // The connection was replaced under the eval (a resume with other bindings): the downstream
      // kept the keyed eval running and keeps its outcome, which the same key fetches.
      const replaced = this.replacing || client !== this.client;
      if (replaced && error instanceof ConnectionClosedError && options?.key !== undefined) {
        return (await this.ready()).eval(code, options).catch((retryError: unknown) => {
          throw hopError(retryError, this.options.component.name);
        });
      }
      throw hopError(error, this.options.component.name);
    }
  }

  /** Invokes a downstream server binding; `markSent` is called once the call goes out. */
  async invoke(name: string, args: unknown, signal: AbortSignal, markSent: () => void): Promise<unknown> {
    const client = await this.ready();
    const drops = this.drops;
    markSent();
    return client.invoke(name, args, { signal }).catch((error: unknown) => {
      throw this.drops !== drops ? this.droppedError(error) : error;
    });
  }

  stats(): ReturnType<Client['stats']> {
    return this.client.stats();
  }

  async dispose(): Promise<void> {
    this.closedByUs = true;
    this.client.close();
    // A child process downstream is waited for, so that closing a chain leaves no process behind.
    await (this.transport as Partial<AsyncDisposable> | undefined)?.[Symbol.asyncDispose]?.();
  }

  /** The downstream client, once a resume with new bindings (if any) is done. */
  private async ready(): Promise<Client> {
    await this.switching;
    return this.client;
  }

  /** Opens a downstream connection declaring `metas`; with `sessionId`, resumes that session. */
  private async connect(metas: readonly BindingMeta[], source: Transport | undefined, sessionId?: string): Promise<Client> {
    const { component } = this.options;
    let client: Client | undefined;
    const opened = await Client.connect(source ?? component.downstream, {
      bindings: this.options.declare(metas),
      metadata: this.options.metadata,
      ...(this.options.serverBindings ? { serverBindings: this.options.serverBindings } : {}),
      ...(sessionId !== undefined ? { sessionId } : {}),
      handshakeTimeoutMs: component.handshakeTimeoutMs ?? 120_000,
      reconnect: component.downstreamReconnect ?? false,
      onStateChange: (state, detail) => {
        if (state === 'reconnecting' && detail === undefined) this.drops++;
        // A connection replaced by a resume with other bindings ends without ending the session.
        if ((state !== 'closed' && state !== 'gave-up') || this.replacing || (client !== undefined && client !== this.client)) return;
        const reason = detail?.error instanceof Error ? detail.error.message : state === 'gave-up' ? 'gave up reconnecting' : 'closed';
        if (!this.closedByUs) component.onDownstreamClosed?.({ sessionId: this.options.sessionId, reason });
      },
      ...(component.onFault ? { onFault: component.onFault } : {}),
    }).catch((error: unknown) => {
      throw hopError(error, component.name);
    });
    client = opened;
    return opened;
  }

  /**
   * A call that failed because this hop's downstream connection dropped (the client resumes the
   * downstream session, but the call is lost) fails upstream naming this component, as one whose
   * downstream closed does.
   */
  private droppedError(error: unknown): unknown {
    if (!(error instanceof DisconnectedError)) return error;
    const { name } = this.options.component;
    return new DisconnectedError(`${name}: downstream connection dropped: ${error.message}`, {
      ...(error.data as Record<string, unknown> | undefined),
      component: name,
    });
  }
}
