import type { ErrorView } from '../consoleLog.js';
import { ValueTree } from './ValueTree.js';

/** An error: name and message, the line of the code it points at, and its data to unfold. */
export function ErrorBlock({ error }: { error: ErrorView }) {
  const extra = extraData(error.data);
  return (
    <div class="error-block" role="alert">
      <span class="error-name">{error.name}</span>: {error.message}
      {error.line !== undefined && (
        <span class="error-line" data-testid="error-line">
          {' '}
          (line {error.line}
          {error.column !== undefined ? `, column ${error.column}` : ''})
        </span>
      )}
      {error.code !== undefined && <span class="muted"> [{String(error.code)}]</span>}
      {extra !== undefined && <ValueTree value={extra} label="data" openDepth={0} />}
    </div>
  );
}

/** What `data` says beyond the name, message and stack already shown. */
function extraData(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const { name: _name, message: _message, stack: _stack, ...rest } = data as Record<string, unknown>;
  return Object.keys(rest).length > 0 ? rest : undefined;
}
