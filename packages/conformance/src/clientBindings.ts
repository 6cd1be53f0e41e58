import { ErrorCode } from '@scomp/protocol/error-codes';
import { isObject, WireError, type Json, type JsonObject, type WireConnection } from './wire.js';

/** The function-reference schema of §11.3, for a function-typed parameter. */
const FUNCTION_REF_SCHEMA: JsonObject = {
  type: 'object',
  required: ['$scomp'],
  properties: {
    $scomp: { type: 'object', required: ['kind', 'id'], properties: { kind: { const: 'fn' }, id: { type: 'string' } } },
  },
};

/**
 * The client bindings the kit declares in its handshake. Evaluated code calls them to show the
 * kit what the runtime does and when: `probe.mark` records a point reached, `probe.hold` waits
 * until the case answers, `probe.fail` fails with InvalidParams, `probe.apply` calls a function
 * reference back (a nested invoke), `probe.makeFn` returns a function the kit issues.
 */
export const CLIENT_BINDINGS: readonly JsonObject[] = [
  {
    name: 'console',
    input: {
      type: 'object',
      properties: { level: { enum: ['log', 'info', 'warn', 'error', 'debug'] }, args: { type: 'array' } },
      required: ['level', 'args'],
    },
  },
  { name: 'probe.mark', description: 'Records that code reached a point.', input: true },
  { name: 'probe.hold', description: 'Answers when the conformance case decides.', input: true },
  { name: 'probe.fail', description: 'Always fails with InvalidParams at /id.', input: true },
  {
    name: 'probe.apply',
    description: 'Calls `fn` with `arg` and returns its result.',
    input: { type: 'object', properties: { fn: FUNCTION_REF_SCHEMA, arg: true }, required: ['fn'] },
  },
  { name: 'probe.makeFn', description: 'Returns a function that doubles a number.', input: true },
];

/** The issue `probe.fail` reports, so cases can recognise it where it propagates. */
export const PROBE_FAIL_ISSUE = { path: '/id', message: 'must be string' };

/** Ids of refs the kit issued through `probe.makeFn`, in order. */
export interface KitRefs {
  readonly issued: string[];
}

/** Answers the kit's client bindings on `connection` (except `probe.hold`, which cases answer). */
export function installClientBindings(connection: WireConnection): KitRefs {
  const refs: KitRefs = { issued: [] };
  connection.handle('console', () => ({}));
  connection.handle('probe.mark', () => ({}));
  connection.hold('probe.hold');
  connection.handle('probe.fail', () => {
    throw new WireError(ErrorCode.InvalidParams, 'invalid params', { issues: [PROBE_FAIL_ISSUE] });
  });
  connection.handle('probe.apply', async (args) => {
    const fn = isObject(args) && isObject(args.fn) && isObject(args.fn.$scomp) ? args.fn.$scomp.id : undefined;
    if (typeof fn !== 'string') {
      throw new WireError(ErrorCode.InvalidParams, 'invalid params', { issues: [{ path: '/fn', message: 'must be a function' }] });
    }
    const argument = isObject(args) ? args.arg : undefined;
    const response = await connection.request('invoke', { ref: fn, ...(argument === undefined ? {} : { args: argument }) });
    if (isObject(response.error)) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- relays whatever message the server sent
      throw new WireError(Number(response.error.code), String(response.error.message), response.error.data);
    }
    return isObject(response.result) ? response.result : {};
  });
  connection.handle('probe.makeFn', () => {
    const id = `kit_fn_${refs.issued.length + 1}`;
    refs.issued.push(id);
    connection.handleRef(id, (args: Json | undefined) => {
      if (typeof args !== 'number') {
        throw new WireError(ErrorCode.InvalidParams, 'invalid params', { issues: [{ path: '', message: 'must be number' }] });
      }
      return { value: args * 2 };
    });
    return { value: { $scomp: { kind: 'fn', id } } };
  });
  return refs;
}

/** Invokes of client binding `name` the server sent on `connection`, in order. */
export function invokesOf(connection: WireConnection, name: string): JsonObject[] {
  return connection.received.filter(
    (message): message is JsonObject => isObject(message) && message.method === 'invoke' && isObject(message.params) && message.params.name === name,
  );
}
