import type { BindingMeta } from '@scomp/protocol';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { renderDeclarations } from '../src/declarations.js';

const libFiles = new Map<string, ts.SourceFile | undefined>();

/** Type-checks in-memory files against the ES2022 lib (what the runtime offers) and returns the diagnostics. */
function compile(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipDefaultLibCheck: true,
  };
  const host = ts.createCompilerHost(options, true);
  const readLib = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError) => {
    const text = files[name];
    if (text !== undefined) return ts.createSourceFile(name, text, languageVersion, true);
    if (!libFiles.has(name)) libFiles.set(name, readLib(name, languageVersion, onError));
    return libFiles.get(name);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name in files || fileExists(name);
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    return `${diagnostic.file?.fileName}:${(where?.line ?? 0) + 1}: ${message}`;
  });
}

function expectCompiles(declarations: string, usage?: string): void {
  const files: Record<string, string> = { '/bindings.d.ts': declarations };
  if (usage !== undefined) files['/usage.ts'] = usage;
  expect(compile(files)).toEqual([]);
}

/** The rendered type of a schema, taken from the return type of a one-binding declaration. */
function typeOf(schema: unknown): string {
  const text = renderDeclarations([{ name: 'f', input: {}, output: schema as BindingMeta['output'] }]);
  const match = /declare function f\(args\?: unknown\): Promise<([\s\S]*)>;\n$/.exec(text);
  if (match === null) throw new Error(`unexpected output:\n${text}`);
  return match[1]!;
}

const LineItem = {
  type: 'object',
  description: 'One product line of an order.',
  properties: {
    sku: { type: 'string' },
    quantity: { type: 'integer', minimum: 1 },
    unitPriceCents: { type: 'integer' },
  },
  required: ['sku', 'quantity', 'unitPriceCents'],
  additionalProperties: false,
};
const Order = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Order id, e.g. "ord_123".' },
    status: { enum: ['open', 'paid', 'shipped', 'cancelled'] },
    items: { type: 'array', items: { $ref: '#/$defs/LineItem' } },
    placedAt: { type: 'string', format: 'date-time' },
    note: { type: ['string', 'null'] },
  },
  required: ['id', 'status', 'items', 'placedAt'],
  additionalProperties: false,
};
const shopDefs = { Order, LineItem };

const orderShop: BindingMeta[] = [
  {
    name: 'getOrder',
    description: 'Fetches one order by id.',
    input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    output: { anyOf: [{ $ref: '#/$defs/Order' }, { type: 'null' }], $defs: shopDefs },
    effects: ['read'],
    hints: { idempotent: true, expectedDurationMs: 50 },
  },
  {
    name: 'listOrders',
    description: 'Lists orders, newest first.',
    input: {
      type: 'object',
      properties: {
        status: { $ref: '#/$defs/Order/properties/status' },
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      },
      $defs: shopDefs,
    },
    output: { type: 'array', items: { $ref: '#/$defs/Order' }, $defs: shopDefs },
    effects: ['read'],
  },
  {
    name: 'updateOrder',
    description: 'Changes the status of an order.',
    input: {
      type: 'object',
      properties: { id: { type: 'string' }, status: { enum: ['paid', 'shipped', 'cancelled'] } },
      required: ['id', 'status'],
      additionalProperties: false,
    },
    output: { $ref: '#/$defs/Order', $defs: shopDefs },
    effects: ['write', 'external'],
    hints: { idempotent: false, deprecated: 'use orders.update' },
  },
  {
    name: 'forEachOrder',
    description: 'Calls `visit` once per order; stops early when it returns false.',
    input: {
      type: 'object',
      properties: {
        visit: {
          type: 'object',
          properties: { $scomp: { type: 'object' } },
          required: ['$scomp'],
          'x-scomp-fn': { input: { $ref: '#/$defs/Order' }, output: { type: 'boolean' } },
        },
      },
      required: ['visit'],
      $defs: shopDefs,
    },
    output: { type: 'object', properties: { visited: { type: 'integer' } }, required: ['visited'] },
    effects: ['read'],
  },
  {
    name: 'db.query',
    description: 'Runs a read-only SQL query.',
    input: {
      type: 'object',
      properties: { sql: { type: 'string' }, params: { type: 'array', items: { type: ['string', 'number', 'null'] } } },
      required: ['sql'],
    },
    output: { type: 'array', items: { type: 'object', additionalProperties: true } },
    effects: ['read'],
  },
  {
    name: 'db.insert',
    input: {
      type: 'object',
      properties: { table: { type: 'string' }, row: { type: 'object', additionalProperties: true } },
      required: ['table', 'row'],
    },
    output: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
    effects: ['write'],
  },
];

describe('renderDeclarations', () => {
  it('renders an order shop as readable declarations', () => {
    expect(renderDeclarations(orderShop, { header: 'Bindings of the shop runtime.' })).toMatchInlineSnapshot(`
      "// Bindings of the shop runtime.

      /** One product line of an order. */
      type LineItem = {
        sku: string;
        /** @minimum 1 */
        quantity: number;
        unitPriceCents: number;
      };

      type Order = {
        /** Order id, e.g. "ord_123". */
        id: string;
        status: "open" | "paid" | "shipped" | "cancelled";
        items: LineItem[];
        /** @format date-time */
        placedAt: string;
        note?: string | null;
      };

      type Status = "open" | "paid" | "shipped" | "cancelled";

      declare namespace db {
        /** @effects write */
        function insert(args: {
          table: string;
          row: { [key: string]: unknown };
        }): Promise<{
          id: number;
        }>;

        /**
         * Runs a read-only SQL query.
         * @effects read
         */
        function query(args: {
          sql: string;
          params?: (string | number | null)[];
        }): Promise<{ [key: string]: unknown }[]>;
      }

      /**
       * Calls \`visit\` once per order; stops early when it returns false.
       * @effects read
       */
      declare function forEachOrder(args: {
        visit: (args: Order) => Promise<boolean>;
      }): Promise<{
        visited: number;
      }>;

      /**
       * Fetches one order by id.
       * @effects read
       * @idempotent
       * @expectedDurationMs 50
       */
      declare function getOrder(args: {
        id: string;
      }): Promise<Order | null>;

      /**
       * Lists orders, newest first.
       * @effects read
       */
      declare function listOrders(args?: {
        status?: Status;
        /**
         * @minimum 1
         * @maximum 100
         * @default 20
         */
        limit?: number;
      }): Promise<Order[]>;

      /**
       * Changes the status of an order.
       * @effects write, external
       * @deprecated use orders.update
       * @idempotent false
       */
      declare function updateOrder(args: {
        id: string;
        status: "paid" | "shipped" | "cancelled";
      }): Promise<Order>;
      "
    `);
  });

  it('renders declarations that compile and type the calls an author writes', () => {
    const declarations = renderDeclarations(orderShop);
    expectCompiles(
      declarations,
      [
        'async function main(): Promise<number> {',
        '  const order = await getOrder({ id: "ord_1" });',
        '  const skus: string[] = order === null ? [] : order.items.map((item) => item.sku);',
        '  const open = await listOrders({ status: "open", limit: 10 });',
        '  await listOrders();',
        '  const rows = await db.query({ sql: "select 1", params: [1, "a", null] });',
        '  await db.insert({ table: "t", row: rows[0] ?? {} });',
        '  const { visited } = await forEachOrder({ visit: async (o) => o.status !== "cancelled" });',
        '  // @ts-expect-error status must be one of the listed values',
        '  await updateOrder({ id: "ord_1", status: "lost" });',
        '  // @ts-expect-error id is required',
        '  await getOrder({});',
        '  return skus.length + open.length + visited;',
        '}',
      ].join('\n'),
    );
  });

  it('gives the same text whatever the order of the bindings', () => {
    const reversed = [...orderShop].reverse();
    expect(renderDeclarations(reversed)).toBe(renderDeclarations(orderShop));
  });

  it('renders nothing for no bindings, and a header alone when one is given', () => {
    expect(renderDeclarations([])).toBe('');
    expect(renderDeclarations([], { header: 'Line one\nLine two */' })).toBe('// Line one\n// Line two */\n');
  });
});

describe('JSON Schema to TypeScript', () => {
  it.each([
    [{ type: 'string' }, 'string'],
    [{ type: 'integer' }, 'number'],
    [{ type: 'number' }, 'number'],
    [{ type: 'boolean' }, 'boolean'],
    [{ type: 'null' }, 'null'],
    [{ type: ['string', 'null'] }, 'string | null'],
    [{ type: 'string', nullable: true }, 'string | null'],
    [{ enum: ['a', 'b"c', 1, true, null] }, '"a" | "b\\"c" | 1 | true | null'],
    [{ const: 'fixed' }, '"fixed"'],
    [{ const: { a: [1] } }, '{"a":[1]}'],
    [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, 'string | number'],
    [{ oneOf: [{ type: 'string' }, { type: 'string' }] }, 'string'],
    [{ anyOf: [{ type: 'string' }, {}] }, 'unknown'],
    [{}, 'unknown'],
    [true, 'unknown'],
    [false, 'never'],
    [{ type: 'array', items: { type: 'string' } }, 'string[]'],
    [{ type: 'array' }, 'unknown[]'],
    [{ type: 'array', items: { type: ['string', 'number'] } }, '(string | number)[]'],
    [{ type: 'array', items: { type: 'number', enum: [-1, 1] } }, '(-1 | 1)[]'],
    [{ type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false }, '[string, number]'],
    [{ type: 'array', prefixItems: [{ type: 'string' }] }, '[string, ...unknown[]]'],
    [{ type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'boolean' } }, '[string, ...boolean[]]'],
    [{ type: 'array', items: [{ type: 'string' }], additionalItems: false }, '[string]'],
    [{ type: 'object' }, '{ [key: string]: unknown }'],
    [{ type: 'object', additionalProperties: false }, 'Record<string, never>'],
    [{ type: 'object', additionalProperties: { type: 'number' } }, '{ [key: string]: number }'],
    [{ type: 'object', patternProperties: { '^x-': { type: 'string' } } }, '{ [key: string]: string }'],
    [{ 'x-scomp-fn': {} }, '(args?: unknown) => Promise<unknown>'],
    [{ type: 'array', items: { 'x-scomp-fn': { input: { type: 'string' } } } }, '((args: string) => Promise<unknown>)[]'],
    [
      { type: 'object', properties: { $scomp: { type: 'object', properties: { kind: { const: 'fn' } } } } },
      '(args?: unknown) => Promise<unknown>',
    ],
    [{ allOf: [{ type: 'string' }, { minLength: 1 }] }, 'string'],
    [{ allOf: [{ type: 'string' }, { type: 'number' }] }, 'string & number'],
    [{ allOf: [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, { type: 'string' }] }, '(string | number) & string'],
    [{ $ref: 'https://example.com/schema.json' }, 'unknown'],
    [{ $ref: '#/$defs/Missing' }, 'unknown'],
  ])('renders %j as %s', (schema, expected) => {
    expect(typeOf(schema)).toBe(expected);
  });

  it('renders objects with optional, quoted and documented properties', () => {
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'string', description: 'Stable id.\nNever reused. */ not a comment end' },
        'content-type': { type: 'string', format: 'mime', default: 'text/plain' },
        count: { type: 'integer', minimum: 0, maximum: 10, deprecated: true },
      },
      required: ['id', 'extra'],
    };
    expect(typeOf(schema)).toBe(
      [
        '{',
        '  /**',
        '   * Stable id.',
        '   * Never reused. *\\/ not a comment end',
        '   */',
        '  id: string;',
        '  /**',
        '   * @format mime',
        '   * @default "text/plain"',
        '   */',
        '  "content-type"?: string;',
        '  /**',
        '   * @deprecated',
        '   * @minimum 0',
        '   * @maximum 10',
        '   */',
        '  count?: number;',
        '  extra: unknown;',
        '}',
      ].join('\n'),
    );
  });

  it('keeps typed additional properties apart from named ones so the index signature stays valid', () => {
    const schema = {
      type: 'object',
      properties: { total: { type: 'number' } },
      required: ['total'],
      additionalProperties: { type: 'string' },
    };
    expect(typeOf(schema)).toBe('{\n  total: number;\n} & { [key: string]: string }');
    expectCompiles(renderDeclarations([{ name: 'f', input: {}, output: schema }]));
  });

  it('renders a depth past the limit as unknown', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 100; i++) schema = { type: 'array', items: schema };
    const text = typeOf(schema);
    expect(text).toMatch(/^unknown(\[\])+$/);
    expect(text.length).toBeLessThan(100);
  });

  it('renders a schema object that contains itself without looping', () => {
    const schema: Record<string, unknown> = { type: 'object', properties: {} };
    Object.assign(schema.properties as object, { self: schema, again: schema });
    const text = renderDeclarations([{ name: 'f', input: schema, output: schema }]);
    expect(text).toContain('declare function f(args?: {\n  self?: unknown;\n  again?: unknown;\n}): Promise<{');
    expectCompiles(text);
  });

  it('bounds the work on schema objects that share parts exponentially often', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 40; i++) schema = { type: 'object', properties: { a: schema, b: schema } };
    const text = renderDeclarations([{ name: 'f', input: schema }]);
    expect(text).toContain('unknown');
    expect(text.length).toBeLessThan(5_000_000);
  });
});

describe('definitions', () => {
  it('renders a definition shared by several bindings once', () => {
    const text = renderDeclarations(orderShop);
    expect(text.match(/^type Order = /gm)).toHaveLength(1);
    expect(text.match(/^type LineItem = /gm)).toHaveLength(1);
  });

  it('tells apart different schemas declared under the same name', () => {
    const text = renderDeclarations([
      { name: 'getUser', input: {}, output: { $ref: '#/$defs/Item', $defs: { Item: { type: 'string' } } } },
      { name: 'db.get', input: {}, output: { $ref: '#/$defs/Item', $defs: { Item: { type: 'number' } } } },
      { name: 'getCart', input: {}, output: { $ref: '#/definitions/Item', definitions: { Item: { type: 'string' } } } },
    ]);
    expect(text).toMatchInlineSnapshot(`
      "type DbGetItem = number;

      type GetCartItem = string;

      declare namespace db {
        function get(args?: unknown): Promise<DbGetItem>;
      }

      declare function getCart(args?: unknown): Promise<GetCartItem>;

      declare function getUser(args?: unknown): Promise<GetCartItem>;
      "
    `);
    expectCompiles(text);
  });

  it('does not merge equal definitions whose references lead to different schemas', () => {
    const order = { type: 'object', properties: { line: { $ref: '#/$defs/Line' } } };
    const text = renderDeclarations([
      { name: 'a', input: {}, output: { $ref: '#/$defs/Order', $defs: { Order: order, Line: { type: 'string' } } } },
      { name: 'b', input: {}, output: { $ref: '#/$defs/Order', $defs: { Order: order, Line: { type: 'number' } } } },
    ]);
    expect(text).toContain('type AOrder = {\n  line?: ALine;\n};');
    expect(text).toContain('type BOrder = {\n  line?: BLine;\n};');
    expectCompiles(text);
  });

  it('names a recursive document root and refers to it instead of looping', () => {
    const tree = {
      type: 'object',
      description: 'A node and its children.',
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } },
      required: ['name'],
    };
    const text = renderDeclarations([{ name: 'fs.walk', input: { type: 'object' }, output: tree }]);
    expect(text).toMatchInlineSnapshot(`
      "/** A node and its children. */
      type FsWalkOutput = {
        name: string;
        children?: FsWalkOutput[];
      };

      declare namespace fs {
        /** @returns A node and its children. */
        function walk(args?: { [key: string]: unknown }): Promise<FsWalkOutput>;
      }
      "
    `);
    expectCompiles(text, 'fs.walk().then((node) => node.children?.[0]?.children?.[0]?.name.toUpperCase());');
  });

  it('degrades references that would make a type alias circular to unknown', () => {
    const $defs = {
      A: { anyOf: [{ $ref: '#/$defs/B' }, { type: 'null' }] },
      B: { allOf: [{ $ref: '#/$defs/A' }] },
      Self: { $ref: '#/$defs/Self' },
      List: { type: 'array', items: { $ref: '#/$defs/List' } },
    };
    const output = { type: 'object', properties: { a: { $ref: '#/$defs/A' }, s: { $ref: '#/$defs/Self' }, l: { $ref: '#/$defs/List' } }, $defs };
    const text = renderDeclarations([{ name: 'f', input: {}, output }]);
    expect(text).toContain('type List = List[];');
    expectCompiles(text);
  });

  it('names definitions that clash with built-ins or are not identifiers', () => {
    const $defs = { Error: { type: 'string' }, 'order-item': { type: 'number' }, '1st': { type: 'boolean' } };
    const output = {
      type: 'array',
      prefixItems: [{ $ref: '#/$defs/Error' }, { $ref: '#/$defs/order-item' }, { $ref: '#/$defs/1st' }],
      items: false,
      $defs,
    };
    const text = renderDeclarations([{ name: 'f', input: {}, output }]);
    expect(text).toContain('Promise<[Error_, OrderItem, _1st]>');
    expectCompiles(text);
  });

  it('renders refs to other places in the document as named types', () => {
    const output = {
      type: 'object',
      properties: { home: { type: 'object', properties: { city: { type: 'string' } } }, work: { $ref: '#/properties/home' } },
    };
    const text = renderDeclarations([{ name: 'f', input: {}, output }]);
    expect(text).toContain('type Home = {\n  city?: string;\n};');
    expect(text).toContain('work?: Home;');
  });
});

describe('names and namespaces', () => {
  it('nests dotted names and merges a function with the namespace of the same name', () => {
    const text = renderDeclarations([
      { name: 'db', input: {}, output: { type: 'string' } },
      { name: 'db.admin.reset', input: {}, effects: ['destructive'] },
      { name: 'db.query', input: { type: 'string' } },
      { name: 'console', input: {} },
    ]);
    expect(text).toMatchInlineSnapshot(`
      "declare function db(args?: unknown): Promise<string>;

      declare namespace db {
        namespace admin {
          /** @effects destructive */
          function reset(args?: unknown): Promise<unknown>;
        }

        function query(args: string): Promise<unknown>;
      }
      "
    `);
    expectCompiles(text, 'db().then((s) => s.length); db.admin.reset(); db.query("select 1");');
  });

  it('declares a tree with a reserved member name as a constant', () => {
    const text = renderDeclarations([
      { name: 'db.delete', input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
      { name: 'db.rows.new', input: {} },
      { name: 'db.rows', input: {} },
      { name: 'new.thing', input: {} },
      { name: 'Promise', input: {} },
    ]);
    expect(text).toMatchInlineSnapshot(`
      "// Not declared because "Promise" is a reserved or built-in name: "Promise"

      declare const db: {
        delete(args: {
          id: string;
        }): Promise<unknown>;

        rows: {
          (args?: unknown): Promise<unknown>;

          "new"(args?: unknown): Promise<unknown>;
        };
      };

      // Not declared because "new" is a reserved or built-in name: "new.thing"
      "
    `);
    expectCompiles(text, 'db.delete({ id: "x" }); db.rows(); db.rows.new();');
  });

  it('documents effects and hints', () => {
    const text = renderDeclarations([
      {
        name: 'send',
        description: 'Sends a message.',
        input: { type: 'object', description: 'What to send.' },
        output: { type: 'string', description: 'The message id.' },
        effects: ['external', 'x-billing'],
        hints: { idempotent: false, deprecated: true, expectedDurationMs: 1200, examples: [{ to: 'a' }], other: 1 } as BindingMeta['hints'],
      },
      { name: 'noop', input: {}, effects: [] },
    ]);
    expect(text).toMatchInlineSnapshot(`
      "/** @effects none */
      declare function noop(args?: unknown): Promise<unknown>;

      /**
       * Sends a message.
       * @param args What to send.
       * @returns The message id.
       * @effects external, x-billing
       * @deprecated
       * @idempotent false
       * @expectedDurationMs 1200
       * @example {"to":"a"}
       */
      declare function send(args?: { [key: string]: unknown }): Promise<string>;
      "
    `);
  });
});

describe('the module', () => {
  it('imports nothing platform-specific', () => {
    for (const file of ['declarations.ts', 'schemaToTs.ts', 'tsText.ts', 'typeNames.ts']) {
      const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
      expect(imports.filter((name) => !name!.startsWith('./') && name !== '@scomp/protocol')).toEqual([]);
    }
  });
});

describe('arbitrary schemas', () => {
  const defName = fc.constantFrom('A', 'B', 'Error', 'a-b');
  const ref = fc.oneof(
    fc.constantFrom('#', '#/nowhere', 'other.json', '#/properties/x', '#/items', '#/$defs/A/items'),
    defName.map((name) => `#/$defs/${name}`),
    defName.map((name) => `#/definitions/${name}`),
  );
  const leaf = fc.oneof(
    fc.constantFrom('string', 'integer', 'number', 'boolean', 'null').map((type) => ({ type })),
    fc.constantFrom<unknown>(true, false, {}, { type: ['string', 'null'] }, { type: 'object' }, { nullable: true }),
    fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), { minLength: 1 }).map((e) => ({ enum: e })),
    fc.jsonValue({ maxDepth: 2 }).map((value) => ({ const: value, description: '*/ x' })),
    ref.map(($ref) => ({ $ref })),
  );
  const { schema } = fc.letrec<{ schema: unknown }>((tie) => ({
    schema: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ type: fc.constant('array'), items: tie('schema') }),
      fc.record(
        { type: fc.constant('array'), prefixItems: fc.array(tie('schema'), { maxLength: 3 }), items: tie('schema') },
        { requiredKeys: ['prefixItems'] },
      ),
      fc.record(
        {
          type: fc.constant('object'),
          properties: fc.dictionary(fc.constantFrom('x', 'y', 'a b', '$scomp', '__proto__', 'new'), tie('schema'), {
            maxKeys: 3,
          }),
          required: fc.array(fc.constantFrom('x', 'z', 'a b'), { maxLength: 2 }),
          additionalProperties: tie('schema'),
          patternProperties: fc.dictionary(fc.string({ maxLength: 3 }), tie('schema'), { maxKeys: 1 }),
          description: fc.string(),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record({ anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ oneOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ allOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ $ref: ref, type: fc.constantFrom('string', 'object', 'array') }),
      fc.record({ 'x-scomp-fn': fc.record({ input: tie('schema'), output: tie('schema') }, { requiredKeys: [] }) }),
    ),
  }));
  const document = fc.record({
    root: schema,
    $defs: fc.dictionary(defName, schema, { maxKeys: 4 }),
    definitions: fc.dictionary(defName, schema, { maxKeys: 2 }),
  });
  const name = fc.constantFrom('f', 'g', 'ns', 'ns.g', 'ns.deep.h', 'ns.delete', 'Error', 'new.x');

  it('always render declarations that compile', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, document, document), { minLength: 1, maxLength: 3 }), (entries) => {
        const bindings = entries.map(([bindingName, input, output]) => ({
          name: bindingName,
          input: withDefs(input),
          output: withDefs(output),
        })) as BindingMeta[];
        expectCompiles(renderDeclarations(bindings));
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});

function withDefs({ root, $defs, definitions }: { root: unknown; $defs: object; definitions: object }): unknown {
  return typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...root, $defs, definitions } : root;
}
