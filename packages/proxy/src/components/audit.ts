import type { LogEntry } from '@scomp/protocol';
import type { InterceptContext } from '../options.js';
import { describeError, type ComponentDefinition } from './definition.js';

/** One audited call, as sent upstream in a log entry's `data` and given to `onEntry`. */
export interface AuditRecord {
  kind: 'eval' | 'invoke';
  sessionId: string;
  /** The binding, for invokes. */
  name?: string;
  /** For invokes: `downstream` (the client invoked a server binding) or `upstream` (guest code called a client binding). */
  direction?: 'downstream' | 'upstream';
  /** The evaluated code, for evals (cut at `maxCodeChars`). */
  code?: string;
  durationMs: number;
  outcome: 'ok' | 'error';
  error?: { code?: unknown; name?: string; message: string };
}

export interface AuditOptions {
  /** @default 'audit' */
  name?: string;
  /** Send each record upstream as a structured `log` entry. @default true */
  logUpstream?: boolean;
  /** Told of each record as it completes (write it to a file, a database, …). */
  onEntry?(record: AuditRecord): void;
  /** Characters of evaluated code kept in a record. @default 200 */
  maxCodeChars?: number;
}

function now(): number {
  return globalThis.performance.now();
}

/**
 * A component that audits every eval and invoke crossing it: what ran, for how long, and how it
 * ended, as a structured log upstream (one entry per call, in completion order).
 */
export function audit(options: AuditOptions = {}): ComponentDefinition {
  const maxCodeChars = options.maxCodeChars ?? 200;
  const record = async (base: Omit<AuditRecord, 'durationMs' | 'outcome' | 'sessionId'>, context: InterceptContext, run: () => Promise<unknown>) => {
    const started = now();
    const finish = (outcome: AuditRecord['outcome'], error?: unknown) => {
      const entry: AuditRecord = { ...base, sessionId: context.sessionId, durationMs: now() - started, outcome };
      if (error !== undefined) entry.error = describeError(error);
      options.onEntry?.(entry);
      if (options.logUpstream ?? true) {
        const log: LogEntry = { level: outcome === 'ok' ? 'info' : 'warn', message: `${base.kind} ${base.name ?? ''}`.trim(), data: entry };
        context.log(log);
      }
    };
    try {
      const value = await run();
      finish('ok');
      return value;
    } catch (error) {
      finish('error', error);
      throw error;
    }
  };
  return {
    name: options.name ?? 'audit',
    onEval: (call, next, context) => record({ kind: 'eval', code: call.code.slice(0, maxCodeChars) }, context, () => next(call.code)),
    onInvoke: (call, next, context) =>
      record({ kind: 'invoke', name: call.name, direction: call.direction }, context, () => next(call.args)),
  };
}
