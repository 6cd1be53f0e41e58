import type { Client } from '@scomp/peer';
import { renderDeclarations } from '@scomp/peer/declarations';
import type { BindingMeta } from '@scomp/protocol';
import { useMemo, useState } from 'preact/hooks';
import { errorView, type ConsoleLog, type ErrorView } from '../consoleLog.js';
import { ErrorBlock } from '../ui/ErrorBlock.js';
import { ValueTree } from '../ui/ValueTree.js';
import { argsFromForm, formFields, type Field, type Schema } from '../schemaForm.js';

export interface BindingsPaneProps {
  client: Client | undefined;
  log: ConsoleLog;
}

/** The server's bindings: TypeScript declarations, then each binding with its schema and a form that invokes it. */
export function BindingsPane({ client, log }: BindingsPaneProps) {
  const bindings = client?.serverBindings ?? [];
  const declarations = useMemo(() => renderDeclarations(bindings) || '// no bindings\n', [bindings]);
  if (!client) return <p class="muted">Not connected.</p>;
  return (
    <div class="bindings">
      <details class="declarations" open>
        <summary>TypeScript declarations</summary>
        <pre data-testid="declarations">{declarations}</pre>
      </details>
      {bindings.map((meta) => (
        <BindingCard key={meta.name} meta={meta} client={client} log={log} />
      ))}
    </div>
  );
}

function BindingCard({ meta, client, log }: { meta: BindingMeta; client: Client; log: ConsoleLog }) {
  const fields = useMemo(() => formFields(meta.input as Schema), [meta]);
  return (
    <details class="binding" data-binding={meta.name}>
      <summary>
        <code>{meta.name}</code>
        {(meta.effects ?? []).map((effect) => (
          <span key={effect} class={`effect effect-${effect}`}>
            {effect}
          </span>
        ))}
      </summary>
      {meta.description && <p class="description">{meta.description}</p>}
      <InvokeForm name={meta.name} fields={fields} client={client} log={log} />
      <details class="schema">
        <summary>JSON Schema</summary>
        <pre>{JSON.stringify({ input: meta.input, output: meta.output, hints: meta.hints }, null, 2)}</pre>
      </details>
    </details>
  );
}

function InvokeForm({ name, fields, client, log }: { name: string; fields: Field[] | undefined; client: Client; log: ConsoleLog }) {
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [raw, setRaw] = useState('');
  const [problem, setProblem] = useState<string>();
  const [outcome, setOutcome] = useState<{ running: true } | { value: unknown } | { error: ErrorView }>();
  const set = (field: string, value: string | boolean) => setValues({ ...values, [field]: value });
  const submit = (event: Event) => {
    event.preventDefault();
    let args: unknown;
    try {
      args = fields ? argsFromForm(fields, values) : raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch (error) {
      return setProblem(error instanceof SyntaxError ? 'arguments must be JSON' : (error as Error).message);
    }
    setProblem(undefined);
    setOutcome({ running: true });
    client.invoke(name, args).then(
      (value) => setOutcome({ value }),
      (error: unknown) => setOutcome({ error: errorView(error) }),
    );
  };
  return (
    <form class="invoke-form" onSubmit={submit}>
      {fields?.map((field) => (
        <label key={field.name} title={field.description}>
          <span>
            {field.name}
            {field.required ? '' : '?'}
          </span>
          <FieldInput field={field} value={values[field.name]} onChange={(value) => set(field.name, value)} />
        </label>
      ))}
      {!fields && (
        <label>
          <span>arguments (JSON)</span>
          <textarea rows={2} value={raw} onInput={(event) => setRaw(event.currentTarget.value)} />
        </label>
      )}
      <button type="submit">Invoke</button>
      {problem && <span class="error-text">{problem}</span>}
      {outcome && (
        <div class="invoke-result" data-testid="invoke-result">
          {'running' in outcome && <span class="muted">running…</span>}
          {'value' in outcome && <ValueTree value={outcome.value} onCall={(fn, args, label) => void log.call(`${label}(${JSON.stringify(args) ?? ''})`, () => fn(args))} />}
          {'error' in outcome && <ErrorBlock error={outcome.error} />}
        </div>
      )}
    </form>
  );
}

function FieldInput({ field, value, onChange }: { field: Field; value: string | boolean | undefined; onChange(value: string | boolean): void }) {
  const label = field.name;
  if (field.kind === 'boolean') {
    return <input type="checkbox" name={label} checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />;
  }
  if (field.kind === 'enum') {
    return (
      <select name={label} value={typeof value === 'string' ? value : ''} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{field.required ? 'choose…' : '(none)'}</option>
        {field.options?.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  const text = typeof value === 'string' ? value : '';
  if (field.kind === 'json') {
    return <textarea name={label} rows={2} placeholder="JSON" value={text} onInput={(event) => onChange(event.currentTarget.value)} />;
  }
  const placeholder = field.description ?? field.kind;
  const onInput = (event: { currentTarget: HTMLInputElement }) => onChange(event.currentTarget.value);
  if (field.kind === 'string') return <input name={label} type="text" placeholder={placeholder} value={text} onInput={onInput} />;
  return <input name={label} type="number" step={field.kind === 'integer' ? 1 : 'any'} placeholder={placeholder} value={text} onInput={onInput} />;
}
