import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../session.js';

/** How often reference counts are re-read: a reference is also released when the page's garbage collector frees it, which no message announces. */
const REFRESH_MS = 1000;

/** The session's id, its connection's story (connected, reconnecting, resumed) and live reference counts. */
export function SessionPane({ session }: { session: Session }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const client = session.client;
  const stats = client && session.status !== 'closed' ? client.stats() : undefined;
  const resumes = session.states.filter((change) => change.state === 'resumed').length;
  return (
    <div class="session">
      <dl>
        <dt>session</dt>
        <dd data-testid="session-id">{client?.sessionId ?? '—'}</dd>
        <dt>state</dt>
        <dd>
          <span class={`state state-${session.status}`} data-testid="connection-state">
            {session.status}
          </span>
          {resumes > 0 && (
            <span class="muted" data-testid="resume-count">
              {' '}
              resumed {resumes}×
            </span>
          )}
        </dd>
        <dt>server</dt>
        <dd>{client ? serverName(client.serverMetadata, session.url) : '—'}</dd>
        <dt>function refs</dt>
        <dd data-testid="ref-counts">
          {stats ? `${stats.exported} exported · ${stats.imported} imported · ${stats.pendingOutbound} calls out · ${stats.activeInbound} calls in` : '—'}
        </dd>
      </dl>
      <button type="button" onClick={() => session.drop()} disabled={session.status !== 'connected'}>
        Drop connection
      </button>
      <ol class="state-log" data-testid="state-log">
        {session.states.map((change, index) => (
          <li key={index} data-state={change.state}>
            <span class={`state state-${change.state}`}>{change.state}</span>
            {change.detail && <span class="muted"> {change.detail}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The server's self-reported name when it gives one as text; otherwise where it was reached. */
function serverName(metadata: Record<string, unknown> | undefined, url: string): string {
  return typeof metadata?.server === 'string' ? metadata.server : url;
}
