import { useState } from 'preact/hooks';
import type { Session } from '../session.js';
import { durationMs, type WireRecord } from '../timeline.js';

/** Every JSON-RPC message of the session, both ways, with time, size and what caused what. */
export function TimelinePane({ session }: { session: Session }) {
  const [method, setMethod] = useState('');
  const [open, setOpen] = useState<number>();
  const records = session.timeline.all;
  const methods = [...new Set(records.map((record) => record.method).filter((name): name is string => !!name))].sort();
  const shown = method === '' ? records : records.filter((record) => record.method === method);
  return (
    <div class="timeline">
      <div class="toolbar">
        <label>
          method{' '}
          <select aria-label="filter by method" value={method} onChange={(event) => setMethod(event.currentTarget.value)}>
            <option value="">all</option>
            {methods.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <span class="muted" data-testid="timeline-count">
          {shown.length} of {records.length} messages
        </span>
        <button type="button" onClick={() => exportTranscript(session)} disabled={records.length === 0}>
          Export JSON
        </button>
      </div>
      <table class="timeline-table">
        <thead>
          <tr>
            <th>#</th>
            <th>ms</th>
            <th />
            <th>message</th>
            <th>bytes</th>
            <th>took</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((record) => (
            <Row key={record.seq} record={record} open={open === record.seq} onToggle={() => setOpen(open === record.seq ? undefined : record.seq)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Row({ record, open, onToggle }: { record: WireRecord; open: boolean; onToggle(): void }) {
  const took = durationMs(record);
  return (
    <>
      <tr
        class={`timeline-row dir-${record.direction}${record.causedBy ? ' caused' : ''}`}
        data-testid="timeline-row"
        data-method={record.method ?? ''}
        data-kind={record.kind}
        data-direction={record.direction}
        onClick={onToggle}
      >
        <td>{record.seq}</td>
        <td>{record.atMs.toFixed(1)}</td>
        <td title={record.direction === 'out' ? 'page → server' : 'server → page'}>{record.direction === 'out' ? '→' : '←'}</td>
        <td>
          <Summary record={record} />
        </td>
        <td>{record.bytes}</td>
        <td>{took !== undefined ? `${took} ms` : ''}</td>
      </tr>
      {record.caused && record.caused.length > 0 && (
        <tr class="timeline-caused">
          <td />
          <td colSpan={5}>
            caused:{' '}
            {record.caused.map((invoke) => (
              <span key={invoke.seq} class="caused-invoke" data-testid="caused-invoke">
                #{invoke.seq} {invokeName(invoke)}
                {durationMs(invoke) !== undefined ? ` (${durationMs(invoke)} ms)` : ''}
              </span>
            ))}
          </td>
        </tr>
      )}
      {open && (
        <tr class="timeline-detail">
          <td />
          <td colSpan={5}>
            <pre>{record.message ? JSON.stringify(record.message, null, 2) : record.text}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

function Summary({ record }: { record: WireRecord }) {
  const id = record.message?.id;
  const idText = id === undefined ? '' : ` id ${JSON.stringify(id)}`;
  const failed = record.message?.error;
  return (
    <span>
      <span class="method">{record.method ?? '?'}</span>
      {record.kind === 'response' ? (failed ? ` error${idText}: ${failed.message}` : ` result${idText}`) : ` ${record.kind}${idText}`}
      {record.kind !== 'response' && record.method === 'invoke' && <span class="muted"> {invokeName(record)}</span>}
      {record.causedBy && <span class="muted"> ← eval at #{record.causedBy.seq}</span>}
      {record.connection > 1 && <span class="muted"> (connection {record.connection})</span>}
    </span>
  );
}

function invokeName(record: WireRecord): string {
  const params = record.message?.params as { name?: unknown; ref?: unknown } | undefined;
  return typeof params?.name === 'string' ? params.name : typeof params?.ref === 'string' ? `ref ${params.ref}` : 'invoke';
}

function exportTranscript(session: Session): void {
  const text = JSON.stringify({ url: session.url, sessionId: session.client?.sessionId, messages: session.timeline.transcript() }, null, 2);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  link.download = `scomp-transcript-${session.client?.sessionId ?? 'session'}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}
