import fc from 'fast-check';
import { classifyMessage } from '@scomp/protocol';

/** The seed every wire property uses: fixed so a run is reproducible, overridable with SCOMP_FUZZ_SEED. */
export const fuzzSeed = Number(process.env.SCOMP_FUZZ_SEED ?? 20_260_101);

/** Property runs per test: modest, so the suite stays fast; raise with SCOMP_FUZZ_RUNS. */
export const fuzzRuns = Number(process.env.SCOMP_FUZZ_RUNS ?? 25);

const oddStrings = ['', '\u0000', '\ud800', '\udfff', '\u2028\u2029', '\ufeff', 'é', '𝄞', '"', '\\', '</script>', '__proto__', 'constructor'];

const oddString = fc.oneof(fc.constantFrom(...oddStrings), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));

const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 1.5, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
);

/** Any JSON value, biased towards the shapes that break parsers and validators. */
export const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  oddString,
  oddNumber,
  fc.constantFrom(null, true, false, [], {}),
  fc.dictionary(oddString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

const oddId = fc.oneof(
  fc.integer({ min: 0, max: 50 }),
  fc.string({ maxLength: 6 }),
  fc.constantFrom(null, 1.5, -0, 2 ** 53 + 2, 1e308, true, {}, [], 'x'.repeat(300)),
);

const method = fc.oneof(
  fc.constantFrom('handshake', 'eval', 'invoke', 'release', 'cancel', 'nope', '', 'rpc.discover', '__proto__'),
  oddString,
  fc.integer(),
);

/** Params that a real peer could send, so mutations land near valid messages. */
const plausibleParams = fc.oneof(
  fc.record({ code: fc.constantFrom('1 + 1', '"ok"', 'missing', 'throw new Error("x")', '(x) => x', '') }),
  fc.record({ code: fc.constant('1'), key: oddString }),
  fc.record({ name: fc.constantFrom('echo', 'strict', 'missing', 'a.b'), args: oddJson }, { requiredKeys: ['name'] }),
  fc.record({ ref: fc.constantFrom('fn_1', 'fn_unknown', ''), args: oddJson }, { requiredKeys: ['ref'] }),
  fc.record({ name: fc.constant('echo'), args: fc.record({ f: fc.record({ $scomp: fc.record({ kind: fc.constantFrom('fn', 'promise'), id: oddString }) }) }) }),
  fc.record({ refs: fc.oneof(fc.array(oddString, { maxLength: 3 }), oddJson) }),
  fc.record({ id: oddId, reason: oddString }, { requiredKeys: ['id'] }),
  fc.record({ protocol: fc.constantFrom('0.1', '0.2', '1.0', 'x'), bindings: fc.constantFrom([], [{ name: 'x', input: true }], 'no') }),
);

/** A JSON-RPC-ish object: some members right, some wrong, some missing, some extra. */
const messageObject = fc
  .record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('2.0'), fc.constantFrom('1.0', 2, null)),
      id: oddId,
      method,
      params: fc.oneof(plausibleParams, plausibleParams, oddJson),
      result: oddJson,
      error: fc.oneof(fc.record({ code: fc.integer(), message: oddString }), oddJson),
      extra: oddJson,
    },
    { requiredKeys: [] },
  )
  .map((message) => {
    // Mostly request-shaped; a response member only sometimes, so most messages are near-valid.
    const out: Record<string, unknown> = { ...message };
    if ('method' in out && ('result' in out || 'error' in out) && Object.keys(out).length % 2 === 0) {
      delete out.result;
      delete out.error;
    }
    return out;
  });

/** Well-formed requests, notifications and responses, each with one member possibly replaced. */
const nearValid = fc
  .oneof(
    fc.record({ jsonrpc: fc.constant('2.0'), id: oddId, method, params: plausibleParams }),
    fc.record({ jsonrpc: fc.constant('2.0'), method, params: plausibleParams }),
    fc.record({ jsonrpc: fc.constant('2.0'), id: oddId, result: oddJson }),
    fc.record({ jsonrpc: fc.constant('2.0'), id: oddId, error: fc.record({ code: fc.integer(), message: oddString, data: oddJson }) }),
  )
  .chain((message) =>
    fc.option(fc.tuple(fc.constantFrom('jsonrpc', 'id', 'method', 'params', 'result', 'error', 'x'), oddJson), { freq: 3 }).map((change) => {
      const out: Record<string, unknown> = { ...message };
      if (change) {
        if (change[1] === null) delete out[change[0]];
        else out[change[0]] = change[1];
      }
      return out;
    }),
  );

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** One message's text as it goes on the wire. */
export const wireText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: nearValid.map((message) => JSON.stringify(message)) },
  { weight: 4, arbitrary: messageObject.map((message) => JSON.stringify(message)) },
  { weight: 1, arbitrary: fc.array(messageObject, { maxLength: 3 }).map((batch) => JSON.stringify(batch)) },
  { weight: 1, arbitrary: oddJson.map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 1, arbitrary: messageObject.chain((message) => fc.nat().map((cut) => JSON.stringify(message).slice(0, cut % 40))) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `{"jsonrpc":"2.0","id":901,"method":"invoke","params":{"name":"echo","args":${nested(20_000)}}}`,
      `{"jsonrpc":"2.0","id":902,"method":"eval","params":{"code":"1","key":"${'k'.repeat(200_000)}"}}`,
      `{"jsonrpc":"2.0","id":903,"method":"invoke","params":{"name":"echo","args":"${'é'.repeat(300_000)}"}}`,
      `{"jsonrpc":"2.0","id":904,"method":"invoke","params":{"name":"echo","args":1e999}}`,
      `{"jsonrpc":"2.0","id":905,"method":"invoke","params":{"name":"echo","args":{"__proto__":{"polluted":1}}}}`,
      `{"jsonrpc":"2.0","id":906,"id":907,"method":"invoke","params":{"name":"echo"}}`,
      `{"jsonrpc":"2.0","method":"invoke","params":{"name":"echo"},"id":null}`,
      nested(50_000),
    ),
  },
);

/**
 * What the receiver must answer for one message: the id of its single response, `null` for a
 * single response with a null id, or `undefined` for no response. Ids are compared by their JSON
 * text, so `-0` and `0` count as the same id, as they do on the wire.
 */
export function expectedAnswer(text: string): string | null | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const classified = classifyMessage(value);
  switch (classified.kind) {
    case 'request':
      return JSON.stringify(classified.message.id);
    case 'notification':
    case 'error':
      return undefined;
    case 'success':
      return null;
    case 'invalid': {
      const record = value as Record<string, unknown>;
      const id = record?.id;
      const recoverable =
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        'method' in record &&
        ((typeof id === 'string' && id.length <= 256) || (typeof id === 'number' && Number.isInteger(id)));
      return recoverable ? JSON.stringify(id) : null;
    }
  }
}
