import { useState } from 'preact/hooks';

export interface ValueTreeProps {
  value: unknown;
  /** Calls a function value (a callable reference) with JSON arguments. */
  onCall?(fn: (args?: unknown) => Promise<unknown>, args: unknown, label: string): void;
  /** Label of the value, for nested entries. */
  label?: string;
  /** Levels shown open at first. @default 1 */
  openDepth?: number;
}

/** A value as an expandable tree: objects and arrays fold, functions are callable references. */
export function ValueTree({ value, onCall, label, openDepth = 1 }: ValueTreeProps) {
  return (
    <div class="tree">
      <Node value={value} label={label} depth={0} openDepth={openDepth} onCall={onCall} />
    </div>
  );
}

interface NodeProps {
  value: unknown;
  label: string | undefined;
  depth: number;
  openDepth: number;
  onCall: ValueTreeProps['onCall'];
}

function Node({ value, label, depth, openDepth, onCall }: NodeProps) {
  const [open, setOpen] = useState(depth < openDepth);
  const key = label === undefined ? null : <span class="tree-key">{label}: </span>;
  if (typeof value === 'function') {
    return (
      <div class="tree-row">
        {key}
        <FunctionRef fn={value as (args?: unknown) => Promise<unknown>} label={label ?? 'function'} onCall={onCall} />
      </div>
    );
  }
  if (typeof value !== 'object' || value === null) {
    return (
      <div class="tree-row">
        {key}
        <Primitive value={value} />
      </div>
    );
  }
  const entries = Array.isArray(value)
    ? value.map((item: unknown, index) => [String(index), item] as const)
    : Object.entries(value as Record<string, unknown>);
  const summary = Array.isArray(value) ? `Array(${value.length})` : `{${entries.length > 0 ? '…' : ''}}`;
  return (
    <div class="tree-row">
      <button type="button" class="tree-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'}
      </button>
      {key}
      <span class="tree-summary">{summary}</span>
      {open && (
        <div class="tree-children">
          {entries.map(([name, item]) => (
            <Node key={name} value={item} label={name} depth={depth + 1} openDepth={openDepth} onCall={onCall} />
          ))}
        </div>
      )}
    </div>
  );
}

function Primitive({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span class="v-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span class="v-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="v-boolean">{String(value)}</span>;
  if (value === undefined) return <span class="v-null">undefined</span>;
  return <span class="v-null">null</span>;
}

function FunctionRef({ fn, label, onCall }: { fn: (args?: unknown) => Promise<unknown>; label: string; onCall: ValueTreeProps['onCall'] }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const submit = (event: Event) => {
    event.preventDefault();
    let args: unknown;
    try {
      args = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      return setProblem('arguments must be JSON');
    }
    setProblem(undefined);
    setEditing(false);
    onCall?.(fn, args, label);
  };
  return (
    <span class="fn-ref">
      <span class="v-fn">ƒ callable reference</span>
      {onCall && !editing && (
        <button type="button" class="small" onClick={() => setEditing(true)}>
          call
        </button>
      )}
      {editing && (
        <form class="fn-call" onSubmit={submit}>
          <input
            aria-label="arguments (JSON)"
            placeholder="arguments as JSON, e.g. 21"
            value={text}
            onInput={(event) => setText(event.currentTarget.value)}
          />
          <button type="submit" class="small">
            invoke
          </button>
          {problem && <span class="error-text">{problem}</span>}
        </form>
      )}
    </span>
  );
}
