import { Client, ScompError, type Binding, type ClientState, type ReconnectOptions, type Transport } from '@scomp/peer';
import { tapTransport } from '@scomp/peer/authoring';
import { connectWebSocket } from '@scomp/transport-ws';
import { Store } from './store.js';
import { Timeline } from './timeline.js';

export type ConnectionStatus = 'disconnected' | 'connecting' | 'failed' | ClientState;

export interface StateChange {
  readonly state: ConnectionStatus;
  readonly atMs: number;
  readonly detail?: string;
}

/** Close code of a connection the user dropped on purpose (WebSocket's application range). */
export const DROP_CLOSE_CODE = 3000;

/** Reconnect attempts after a drop, quick at first so a deliberate drop resumes at once. */
const RECONNECT: ReconnectOptions = { retryDelayMs: (attempt) => Math.min(3000, 50 * 2 ** (attempt - 1)) };

/**
 * The playground's link to one scomp session: the client, every message on the wire (timeline),
 * and the connection's history (connected, reconnecting, resumed).
 */
export class Session extends Store {
  status: ConnectionStatus = 'disconnected';
  states: StateChange[] = [];
  client: Client | undefined;
  error: string | undefined;
  url = '';
  timeline = new Timeline();
  /** Connections opened for this session: 1, plus one per resume. */
  connections = 0;
  private transport: Transport | undefined;
  private attempt = 0;

  constructor(private readonly bindings: readonly Binding[]) {
    super();
  }

  /** Connects to `url` (closing any earlier session) and performs the handshake. */
  async connect(url: string, token?: string): Promise<void> {
    this.disconnect();
    const attempt = ++this.attempt;
    this.url = url;
    this.timeline = new Timeline();
    this.connections = 0;
    this.states = [];
    this.error = undefined;
    this.setStatus('connecting');
    try {
      const client = await Client.connect(() => this.openTransport(url, attempt), {
        bindings: this.bindings,
        metadata: { client: 'scomp-playground', ...(token ? { token } : {}) },
        reconnect: RECONNECT,
        onStateChange: (state, detail) => {
          if (attempt === this.attempt) this.setStatus(state, detail?.error ? describe(detail.error) : undefined);
        },
      });
      if (attempt !== this.attempt) return client.close();
      this.client = client;
      this.setStatus('connected', `session ${client.sessionId}`);
    } catch (error) {
      if (attempt !== this.attempt) return;
      this.error = describe(error);
      this.setStatus('failed', this.error);
    }
  }

  /** Drops the current connection the way a network failure would; the client resumes the session. */
  drop(): void {
    this.transport?.close({ code: DROP_CLOSE_CODE, reason: 'dropped from the playground' });
  }

  disconnect(): void {
    this.attempt++;
    const client = this.client;
    this.client = undefined;
    this.transport = undefined;
    if (client) {
      client.close();
      this.setStatus('closed');
    }
  }

  private async openTransport(url: string, attempt: number): Promise<Transport> {
    const transport = await connectWebSocket(url);
    if (attempt !== this.attempt) {
      transport.close();
      throw new Error('superseded by a newer connection');
    }
    const connection = ++this.connections;
    const tapped = tapTransport(transport, {
      message: (direction, text) => {
        this.timeline.add(connection, direction, text);
        this.changed();
      },
      close: () => {
        this.timeline.connectionClosed(connection);
        this.changed();
      },
    });
    this.transport = tapped;
    return tapped;
  }

  private setStatus(state: ConnectionStatus, detail?: string): void {
    this.status = state;
    const change: StateChange = { state, atMs: Math.round(performance.now()) };
    this.states.push(detail === undefined ? change : { ...change, detail });
    this.changed();
  }
}

export function describe(error: unknown): string {
  if (error instanceof ScompError && error.codeName) return `${error.codeName}: ${error.message}`;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
