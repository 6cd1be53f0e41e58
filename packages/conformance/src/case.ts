import type { Json, JsonObject, WireConnection } from './wire.js';

/** How strongly the spec states the rule a case checks (RFC 2119). */
export type Level = 'MUST' | 'SHOULD';

export type Verdict = 'pass' | 'fail' | 'na';

/** What a case's checks need from the server beyond the spec itself. */
export type Requirement =
  /** A server binding named `echo` that returns its argument unchanged. */
  | 'echo'
  /** A runtime that evaluates JavaScript (§6.1, §6.3 apply to JavaScript runtimes). */
  | 'javascript'
  /** More than one connection to the same server (WebSocket; a stdio server has one). */
  | 'reconnect'
  /** A WebSocket connection, for close codes (§2). */
  | 'websocket';

export interface ConformanceCase {
  /** Stable identifier, for `--only` and the JSON report. */
  id: string;
  /** Where the rule is, e.g. `§4`, `§6.3`. */
  section: string;
  level: Level;
  /** The rule, as a sentence. */
  title: string;
  needs?: readonly Requirement[];
  /**
   * Set while the rule is proposed but not yet in spec/PROTOCOL.md: says where it is proposed.
   * A server that does not follow it yet is reported N/A with the failure, not FAIL.
   */
  draft?: string;
  run(ctx: CaseContext): Promise<void>;
}

/** The server's answer to the kit's handshake, with what the kit learned from it. */
export interface SessionInfo {
  readonly connection: WireConnection;
  readonly result: JsonObject;
  readonly sessionId: string;
  readonly serverBindings: readonly JsonObject[];
}

export interface HandshakeOverrides {
  protocol?: Json;
  bindings?: Json;
  sessionId?: string;
  metadata?: JsonObject;
  /** Members added to the handshake params as they are. */
  extra?: JsonObject;
}

export interface CaseContext {
  /** The protocol version the kit speaks. */
  readonly protocol: string;
  /** A new connection, not yet handshaken. Closed when the case ends. */
  open(): Promise<WireConnection>;
  /** A new connection after a successful handshake declaring the kit's client bindings. */
  session(overrides?: HandshakeOverrides): Promise<SessionInfo>;
  /** Closes `session`'s connection, waits for the close, and resumes the session on a new one. */
  resume(session: SessionInfo): Promise<SessionInfo>;
  /** A session shared by the cases of one run that only evaluate harmless code. */
  sharedSession(): Promise<SessionInfo>;
  /** The kit's handshake params, with overrides applied. */
  handshakeParams(overrides?: HandshakeOverrides): JsonObject;
  /** The server's bindings, from a handshake made once per run. */
  serverBindings(): Promise<readonly JsonObject[]>;
  /** The server binding named `name`, or a not-applicable verdict naming what the case needs. */
  requireBinding(name: string, why: string): Promise<JsonObject>;
  /** Limits the server is said to enforce (from the command line); undefined when not given. */
  readonly options: CaseOptions;
}

export interface CaseOptions {
  /** The server's `maxMessageBytes` (§2). @default 16777216 */
  serverMaxMessageBytes: number;
  /** How many requests the limit cases send before deciding a limit is not enforced. @default 2048 */
  limitProbeCount: number;
  /** How long one response may take. @default 10000 */
  timeoutMs: number;
  /** Handshake `metadata` of every session, e.g. `{ token }` for a server that authenticates. @default none */
  metadata?: JsonObject;
}

/** A check failed: the message says which rule and what was seen. */
export class CaseFailure extends Error {
  override name = 'CaseFailure';
}

/** The case does not apply to this server (a binding or capability it needs is missing). */
export class NotApplicable extends Error {
  override name = 'NotApplicable';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CaseFailure(message);
}

export function notApplicable(reason: string): never {
  throw new NotApplicable(reason);
}

/** Short JSON text of a value for failure messages. */
export function show(value: unknown, max = 300): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
