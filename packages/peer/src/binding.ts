import Type, { type Static, type TSchema, type TUnknown } from 'typebox';
import { bindingRefIssues, bindingSchema, compileSchema, type BindingMeta, type Effect, type Hints, type Validator } from '@scomp/protocol';
import { withPlaceholders } from './codec.js';
import { InternalError, InvalidParamsError, toScompError } from './errors.js';
import type { BindingOrigin } from './moduleBinding.js';
import type { CallContext } from './runtime.js';

/** What a binding's handler receives besides its arguments. */
export interface BindingContext extends CallContext {
  /** Calls a binding of the other peer (from a server binding: the connected client's). */
  invoke(name: string, args?: unknown, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
}

export interface BindingDefinition<TInput extends TSchema, TOutput extends TSchema> {
  name: string;
  description?: string;
  input: TInput;
  output?: TOutput;
  /** Definitions `input` and `output` share: their `#/$defs/Name` refs resolve here too. */
  $defs?: Record<string, TSchema>;
  effects?: Effect[];
  hints?: Hints;
  handler(args: Static<TInput>, context: BindingContext): Static<TOutput> | Promise<Static<TOutput>>;
}

export interface BindingOptions {
  /**
   * Check handler results against `output`. A result that breaks it is an InternalError.
   * @default true unless NODE_ENV is "production"
   */
  validateOutput?: boolean;
}

/** A binding ready to serve: wire metadata plus a call that validates before and after the handler. */
export interface Binding<TInput = unknown, TOutput = unknown> {
  readonly meta: BindingMeta;
  call(args: unknown, context: BindingContext): Promise<unknown>;
  /**
   * The module this binding can be imported from (set by `moduleBinding`), so a runtime whose guest
   * code runs on another thread may run guest calls of it there.
   */
  readonly origin?: BindingOrigin;
  /** Type carriers for inference; never set at run time. */
  readonly __types?: { input: TInput; output: TOutput };
}

function defaultValidateOutput(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV !== 'production';
}

function stripTypeBox(schema: TSchema): BindingMeta['input'] {
  return JSON.parse(JSON.stringify(schema)) as BindingMeta['input'];
}

function validatorFor(schema: TSchema | BindingMeta['input']): { validator: Validator; placeholders: boolean } {
  return { validator: compileSchema(schema), placeholders: JSON.stringify(schema).includes('"x-scomp-fn"') };
}

/**
 * Defines a binding once: the handler's argument and return types are inferred from the TypeBox
 * `input` and `output` schemas, and the wire metadata is generated from the same schemas.
 */
export function defineBinding<TInput extends TSchema, TOutput extends TSchema = TUnknown>(
  definition: BindingDefinition<TInput, TOutput>,
  options: BindingOptions = {},
): Binding<Static<TInput>, Static<TOutput>> {
  // Members in the order of the spec's BindingMeta table, so the wire text reads as the spec shows it.
  const meta: BindingMeta = {
    name: definition.name,
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    input: stripTypeBox(definition.input),
  };
  if (definition.output !== undefined) meta.output = stripTypeBox(definition.output);
  if (definition.$defs !== undefined) {
    meta.$defs = Object.fromEntries(Object.entries(definition.$defs).map(([name, schema]) => [name, stripTypeBox(schema)]));
  }
  if (definition.effects !== undefined) meta.effects = [...definition.effects];
  if (definition.hints !== undefined) meta.hints = { ...definition.hints };

  assertRefsResolve(meta);
  // With shared definitions the validators check the schemas as the wire shows them, refs included.
  const shared = meta.$defs !== undefined;
  const input = validatorFor(shared ? bindingSchema(meta, 'input')! : definition.input);
  const output =
    definition.output !== undefined && (options.validateOutput ?? defaultValidateOutput())
      ? validatorFor(shared ? bindingSchema(meta, 'output')! : definition.output)
      : undefined;

  return {
    meta,
    async call(args, context) {
      // Code calls argument-less bindings as `listOrders()`; `{}` stands in when it is a complete argument.
      if (args === undefined && !input.validator.check(undefined) && input.validator.check({})) args = {};
      // The compiled check is fast; issues are only worth collecting for a value that fails it.
      const checked = input.placeholders ? withPlaceholders(args) : args;
      if (!input.validator.check(checked)) {
        const issues = input.validator.issues(checked);
        if (issues.length > 0) throw InvalidParamsError.fromIssues(issues);
      }
      let result: unknown;
      try {
        result = await definition.handler(args as Static<TInput>, context);
      } catch (error) {
        throw toScompError(error);
      }
      if (output) {
        const checkedResult = output.placeholders ? withPlaceholders(result) : result;
        const resultIssues = output.validator.check(checkedResult) ? [] : output.validator.issues(checkedResult);
        if (resultIssues.length > 0) {
          throw new InternalError(`${definition.name} returned a value that breaks its output schema`, {
            issues: resultIssues,
          });
        }
      }
      return result;
    },
  };
}

/**
 * Refuses a binding whose schemas hold a `$ref` that cannot be followed, when it is defined rather
 * than at every call (where it would fail as "schema is false"). Issues point into the binding.
 */
export function assertRefsResolve(meta: BindingMeta, pathPrefix = ''): void {
  const issues = bindingRefIssues(meta).map((issue) => ({ ...issue, path: `${pathPrefix}${issue.path}` }));
  if (issues.length > 0) throw InvalidParamsError.fromIssues(issues, `binding ${meta.name} has a $ref that does not resolve`);
}

/**
 * The schema of a function-typed value: on the wire a function-reference sentinel, in a handler an
 * async function typed from `input` and `output`.
 */
export function Fn<TInput extends TSchema, TOutput extends TSchema>(
  input: TInput,
  output: TOutput,
  options: { description?: string } = {},
) {
  return Type.Unsafe<(args: Static<TInput>) => Promise<Static<TOutput>>>({
    type: 'object',
    required: ['$scomp'],
    properties: {
      $scomp: {
        type: 'object',
        required: ['kind', 'id'],
        properties: { kind: { const: 'fn' }, id: { type: 'string' } },
      },
    },
    'x-scomp-fn': { input: stripTypeBox(input), output: stripTypeBox(output) },
    ...options,
  });
}
