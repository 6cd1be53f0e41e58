import { DEFAULT_MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@scomp/protocol';
import {
  CaseFailure,
  NotApplicable,
  check,
  notApplicable,
  show,
  type CaseContext,
  type CaseOptions,
  type ConformanceCase,
  type HandshakeOverrides,
  type Requirement,
  type SessionInfo,
  type Verdict,
} from './case.js';
import { CLIENT_BINDINGS, installClientBindings } from './clientBindings.js';
import { expectResult, jsonEqual } from './expect.js';
import { canReconnect, describeTarget, openTarget, type OpenedTransport, type Target } from './target.js';
import { isObject, WireConnection, WireTimeoutError, type JsonObject } from './wire.js';

/** The kit could not connect and handshake once, so no case could be judged. */
export class TargetUnreachableError extends Error {
  override name = 'TargetUnreachableError';
}

export interface CaseResult {
  id: string;
  section: string;
  level: 'MUST' | 'SHOULD';
  title: string;
  verdict: Verdict;
  /** Why it failed or does not apply. */
  reason?: string;
}

export interface ConformanceSummary {
  passed: number;
  failed: number;
  /** Failed cases that check a MUST; any makes the command exit with 1. */
  mustFailed: number;
  notApplicable: number;
}

export interface ConformanceReport {
  target: string;
  protocol: string;
  results: CaseResult[];
  summary: ConformanceSummary;
}

export interface RunOptions extends Partial<CaseOptions> {
  /** Run only the cases whose id starts with one of these. @default every case */
  only?: readonly string[];
  /** Called after each case, e.g. to print its line at once. */
  onResult?(result: CaseResult): void;
}

/** Runs `cases` one after another against `target`, each on connections of its own. */
export async function runConformance(
  target: Target,
  cases: readonly ConformanceCase[],
  options: RunOptions = {},
): Promise<ConformanceReport> {
  const caseOptions: CaseOptions = {
    serverMaxMessageBytes: options.serverMaxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    limitProbeCount: options.limitProbeCount ?? 2048,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
  const probe = new Probe(target, caseOptions);
  const results: CaseResult[] = [];
  try {
    await probe.serverBindings().catch((error: unknown) => {
      throw new TargetUnreachableError(
        `could not handshake with ${describeTarget(target)}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
    for (const conformanceCase of cases) {
      if (options.only && !options.only.some((prefix) => conformanceCase.id.startsWith(prefix))) continue;
      const result = await runCase(conformanceCase, probe);
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await probe.dispose();
  }
  const count = (verdict: Verdict) => results.filter((result) => result.verdict === verdict).length;
  return {
    target: describeTarget(target),
    protocol: PROTOCOL_VERSION,
    results,
    summary: {
      passed: count('pass'),
      failed: count('fail'),
      mustFailed: results.filter((result) => result.verdict === 'fail' && result.level === 'MUST').length,
      notApplicable: count('na'),
    },
  };
}

async function runCase(conformanceCase: ConformanceCase, probe: Probe): Promise<CaseResult> {
  const { id, section, level, title } = conformanceCase;
  const base = { id, section, level, title };
  const scope = new CaseScope(probe);
  try {
    for (const need of conformanceCase.needs ?? []) {
      const missing = await probe.missing(need);
      if (missing) return { ...base, verdict: 'na', reason: missing };
    }
    await conformanceCase.run(scope.context);
    return { ...base, verdict: 'pass' };
  } catch (error) {
    if (error instanceof NotApplicable) return { ...base, verdict: 'na', reason: error.message };
    if ((error instanceof CaseFailure || error instanceof WireTimeoutError) && conformanceCase.draft) {
      return { ...base, verdict: 'na', reason: `a rule proposed in ${conformanceCase.draft}, not yet in the spec; not followed: ${error.message}` };
    }
    if (error instanceof CaseFailure || error instanceof WireTimeoutError) return { ...base, verdict: 'fail', reason: error.message };
    return { ...base, verdict: 'fail', reason: `the case could not run: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await scope.dispose();
  }
}

/** What the kit learns about the server once per run: its bindings and whether it runs JavaScript. */
class Probe {
  private bindings: Promise<readonly JsonObject[]> | undefined;
  private javascript: Promise<string | undefined> | undefined;
  private readonly sharedScope: CaseScope;
  private shared: Promise<SessionInfo> | undefined;

  constructor(
    readonly target: Target,
    readonly options: CaseOptions,
  ) {
    this.sharedScope = new CaseScope(this);
  }

  serverBindings(): Promise<readonly JsonObject[]> {
    return (this.bindings ??= this.withSession(async (session) => session.serverBindings));
  }

  /** Why requirement `need` is not met, or undefined when it is. */
  async missing(need: Requirement): Promise<string | undefined> {
    if (need === 'reconnect') {
      return canReconnect(this.target) ? undefined : 'needs a second connection to the same server (a stdio server serves one connection)';
    }
    if (need === 'websocket') {
      return this.target.kind === 'websocket' ? undefined : 'checks a WebSocket close code';
    }
    if (need === 'echo') {
      const echo = (await this.serverBindings()).some((binding) => binding.name === 'echo');
      return echo ? undefined : 'needs a server binding "echo" that returns its argument unchanged';
    }
    return (this.javascript ??= this.withSession(async (session) => {
      const response = await session.connection.request('eval', { code: '[1, 2].map((x) => x * 2)' });
      const value = isObject(response.result) ? response.result.value : undefined;
      return jsonEqual(value, [2, 4]) ? undefined : 'applies to JavaScript runtimes; "[1, 2].map((x) => x * 2)" did not give [2, 4]';
    }));
  }

  /** One session kept for the run, for cases that only evaluate harmless code; reopened if it closed. */
  async sharedSession(): Promise<SessionInfo> {
    const current = await this.shared?.catch(() => undefined);
    if (current && !current.connection.closed) return current;
    this.shared = this.sharedScope.context.session();
    return this.shared;
  }

  dispose(): Promise<void> {
    return this.sharedScope.dispose();
  }

  private async withSession<TResult>(use: (session: SessionInfo) => Promise<TResult>): Promise<TResult> {
    const scope = new CaseScope(this);
    try {
      return await use(await scope.context.session());
    } finally {
      await scope.dispose();
    }
  }
}

/** The connections one case opened; all of them are ended when it finishes. */
class CaseScope {
  private readonly opened: OpenedTransport[] = [];
  readonly context: CaseContext;

  constructor(private readonly probe: Probe) {
    const scope = this;
    const { options } = probe;
    this.context = {
      protocol: PROTOCOL_VERSION,
      options,
      open: () => scope.open(),
      handshakeParams: (overrides) => handshakeParams(options, overrides),
      session: (overrides) => scope.session(overrides),
      sharedSession: () => probe.sharedSession(),
      async resume(session) {
        session.connection.close();
        await session.connection.whenClosed();
        return scope.session({ sessionId: session.sessionId });
      },
      serverBindings: () => probe.serverBindings(),
      async requireBinding(name, why) {
        const binding = (await probe.serverBindings()).find((candidate) => candidate.name === name);
        return binding ?? notApplicable(`needs a server binding "${name}" (${why})`);
      },
    };
  }

  async open(): Promise<WireConnection> {
    const opened = await openTarget(this.probe.target);
    this.opened.push(opened);
    return new WireConnection(opened.transport, { timeoutMs: this.probe.options.timeoutMs });
  }

  async session(overrides: HandshakeOverrides = {}): Promise<SessionInfo> {
    const connection = await this.open();
    installClientBindings(connection);
    const response = await connection.request('handshake', handshakeParams(this.probe.options, overrides));
    const result = expectResult(response, 'the handshake');
    check(typeof result.sessionId === 'string', `the handshake result has no string sessionId: ${show(result)}`);
    check(Array.isArray(result.bindings), `the handshake result has no bindings array: ${show(result)}`);
    return {
      connection,
      result,
      sessionId: result.sessionId,
      serverBindings: result.bindings.filter(isObject),
    };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((opened) => opened.dispose().catch(() => {})));
  }
}

function handshakeParams(options: CaseOptions, overrides: HandshakeOverrides = {}): JsonObject {
  const metadata = overrides.metadata ?? options.metadata;
  return {
    protocol: overrides.protocol ?? PROTOCOL_VERSION,
    bindings: overrides.bindings ?? [...CLIENT_BINDINGS],
    ...(metadata ? { metadata } : {}),
    ...(overrides.sessionId !== undefined ? { sessionId: overrides.sessionId } : {}),
    ...overrides.extra,
  };
}
