import { LimitExceededError } from './errors.js';

export interface PrincipalQuotaOptions {
  /** Sessions one principal may hold, attached and detached. */
  maxSessions: number;
  /** Memory limits of one principal's sessions, added up, in bytes. @default no limit */
  maxMemoryBytes?: number;
  /** The memory limit each session is given, in bytes; counted against `maxMemoryBytes`. */
  sessionMemoryBytes: number;
}

interface Usage {
  sessions: number;
  memoryBytes: number;
}

/**
 * What each principal holds. A session is counted from the moment its creation starts (so
 * concurrent handshakes cannot overshoot) until it is disposed. Memory is counted as each
 * session's memory limit rather than its current use: a principal within its quota can never
 * grow past it, whatever its code does later.
 */
export class PrincipalQuotas {
  private readonly usage = new Map<string, Usage>();

  constructor(private readonly options: PrincipalQuotaOptions) {}

  /** Counts one more session for `principalId`, or throws LimitExceeded naming the quota it would pass. */
  reserve(principalId: string): void {
    const usage = this.usage.get(principalId) ?? { sessions: 0, memoryBytes: 0 };
    const { maxSessions, maxMemoryBytes, sessionMemoryBytes } = this.options;
    if (usage.sessions + 1 > maxSessions) {
      throw new LimitExceededError(`a principal may hold at most ${maxSessions} sessions`, {
        limit: 'sessions',
        max: maxSessions,
        used: usage.sessions,
      });
    }
    if (maxMemoryBytes !== undefined && usage.memoryBytes + sessionMemoryBytes > maxMemoryBytes) {
      throw new LimitExceededError(`a principal's sessions may hold at most ${maxMemoryBytes} bytes of memory`, {
        limit: 'principalMemory',
        max: maxMemoryBytes,
        used: usage.memoryBytes,
        requested: sessionMemoryBytes,
      });
    }
    usage.sessions++;
    usage.memoryBytes += sessionMemoryBytes;
    this.usage.set(principalId, usage);
  }

  /** Forgets one session of `principalId` (created, failed to create, or disposed). */
  release(principalId: string): void {
    const usage = this.usage.get(principalId);
    if (!usage) return;
    usage.sessions--;
    usage.memoryBytes -= this.options.sessionMemoryBytes;
    if (usage.sessions <= 0) this.usage.delete(principalId);
  }
}
