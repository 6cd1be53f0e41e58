export { ALL_CASES } from './cases/index.js';
export { CaseFailure, NotApplicable, check, notApplicable } from './case.js';
export type {
  CaseContext,
  CaseOptions,
  ConformanceCase,
  HandshakeOverrides,
  Level,
  Requirement,
  SessionInfo,
  Verdict,
} from './case.js';
export { CLIENT_BINDINGS } from './clientBindings.js';
export { exitCode, formatResult, formatSummary } from './report.js';
export { TargetUnreachableError, runConformance } from './runner.js';
export type { CaseResult, ConformanceReport, ConformanceSummary, RunOptions } from './runner.js';
export { describeTarget, type Target } from './target.js';
export { WireConnection, WireError, WireTimeoutError } from './wire.js';
export type { CloseInfo, InboundCall, InvokeHandler, Json, JsonObject, RawTransport, WireConnectionOptions } from './wire.js';
