import type { Client } from '@scomp/peer';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Cell, ConsoleLine, ConsoleLog } from '../consoleLog.js';
import type { History } from '../history.js';
import { useStore } from '../store.js';
import { ErrorBlock } from '../ui/ErrorBlock.js';
import { ValueTree } from '../ui/ValueTree.js';

export interface ConsolePaneProps {
  client: Client | undefined;
  log: ConsoleLog;
  history: History;
}

const PLACEHOLDER = `const o = await getOrder({ id: 'o_001' });
o.total   // Ctrl+Enter runs; ↑/↓ at the start/end walk the history`;

/** Runs code in the session: an editor with history, and each eval's console output and value. */
export function ConsolePane({ client, log, history }: ConsolePaneProps) {
  useStore(log);
  const [code, setCode] = useState('');
  const output = useRef<HTMLDivElement>(null);
  const cellCount = log.cells.length;
  const lineCount = log.cells.reduce((sum, cell) => sum + cell.lines.length, 0);
  useEffect(() => {
    output.current?.scrollTo({ top: output.current.scrollHeight });
  }, [cellCount, lineCount]);

  const run = () => {
    if (!client || code.trim() === '') return;
    history.add(code);
    void log.run(client, code);
    setCode('');
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const editor = event.currentTarget as HTMLTextAreaElement;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === 'ArrowUp' && editor.selectionStart === 0 && editor.selectionEnd === 0) {
      const previous = history.previous();
      if (previous !== undefined) {
        event.preventDefault();
        setCode(previous);
      }
    } else if (event.key === 'ArrowDown' && editor.selectionStart === editor.value.length) {
      const next = history.next();
      if (next !== undefined) {
        event.preventDefault();
        setCode(next);
      }
    }
  };
  const running = log.cells.filter((cell) => cell.status === 'running' && cell.abort);
  const callRef = (fn: (args?: unknown) => Promise<unknown>, args: unknown, label: string) =>
    void log.call(`${label}(${args === undefined ? '' : JSON.stringify(args)})`, () => fn(args));

  return (
    <div class="console">
      <div class="console-output" ref={output} data-testid="console-output">
        {log.cells.map((cell) => (
          <CellView key={cell.id} cell={cell} onCall={callRef} onCancel={() => log.cancel(cell)} />
        ))}
      </div>
      <div class="editor">
        <textarea
          aria-label="code"
          spellcheck={false}
          rows={4}
          placeholder={PLACEHOLDER}
          value={code}
          onInput={(event) => setCode(event.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <div class="editor-actions">
          <button type="button" class="primary" onClick={run} disabled={!client} title="Ctrl+Enter">
            Run
          </button>
          <button type="button" onClick={() => running.forEach((cell) => log.cancel(cell))} disabled={running.length === 0}>
            Cancel
          </button>
          <button type="button" onClick={() => log.clear()}>
            Clear
          </button>
        </div>
      </div>
    </div>
  );
}

interface CellViewProps {
  cell: Cell;
  onCall(fn: (args?: unknown) => Promise<unknown>, args: unknown, label: string): void;
  onCancel(): void;
}

function CellView({ cell, onCall, onCancel }: CellViewProps) {
  return (
    <div class={`cell cell-${cell.kind}`} data-testid="cell" data-status={cell.status}>
      {cell.kind !== 'output' && <Code code={cell.code} errorLine={cell.error?.line} kind={cell.kind} />}
      {cell.lines.map((line, index) => (
        <Line key={index} line={line} onCall={onCall} />
      ))}
      {cell.status === 'running' && (
        <div class="cell-running">
          <span class="muted">running…</span>
          {cell.abort && (
            <button type="button" class="small" onClick={onCancel}>
              cancel
            </button>
          )}
        </div>
      )}
      {cell.status === 'ok' && cell.kind !== 'output' && (
        <div class="cell-result" data-testid="result">
          <ValueTree value={cell.value} onCall={onCall} />
        </div>
      )}
      {(cell.status === 'error' || cell.status === 'cancelled') && cell.error && (
        <div class="cell-error" data-testid="error">
          <ErrorBlock error={cell.error} />
        </div>
      )}
      {cell.durationMs !== undefined && <div class="cell-time muted">{cell.durationMs} ms</div>}
    </div>
  );
}

function Code({ code, errorLine, kind }: { code: string; errorLine: number | undefined; kind: Cell['kind'] }) {
  return (
    <pre class="cell-code">
      {code.split('\n').map((line, index) => (
        <div key={index} class={index + 1 === errorLine ? 'code-line error-mark' : 'code-line'}>
          <span class="prompt">{index === 0 ? (kind === 'eval' ? '›' : 'ƒ') : '·'}</span>
          {line}
        </div>
      ))}
    </pre>
  );
}

function Line({ line, onCall }: { line: ConsoleLine; onCall: CellViewProps['onCall'] }) {
  return (
    <div class={`console-line level-${line.level}`} data-testid="console-line">
      {line.args.map((arg, index) =>
        typeof arg === 'string' ? (
          <span key={index} class="console-text">
            {arg}
          </span>
        ) : (
          <ValueTree key={index} value={arg} onCall={onCall} openDepth={0} />
        ),
      )}
    </div>
  );
}
