import { describe, expectTypeOf, it } from 'vitest';
import Type from 'typebox';
import { Fn, defineBinding, type Binding, type BindingContext } from '../src/index.js';

describe('defineBinding', () => {
  it('types the handler from the input and output schemas', () => {
    const binding = defineBinding({
      name: 'getOrder',
      input: Type.Object({ id: Type.String(), expand: Type.Optional(Type.Boolean()) }),
      output: Type.Object({ id: Type.String(), total: Type.Number() }),
      handler: (args, context) => {
        expectTypeOf(args).toEqualTypeOf<{ id: string; expand?: boolean }>();
        expectTypeOf(context).toEqualTypeOf<BindingContext>();
        return { id: args.id, total: 1 };
      },
    });
    expectTypeOf(binding).toEqualTypeOf<Binding<{ id: string; expand?: boolean }, { id: string; total: number }>>();
  });

  it('rejects a handler whose result breaks the output schema', () => {
    defineBinding({
      name: 'bad',
      input: Type.Object({}),
      output: Type.Object({ total: Type.Number() }),
      // @ts-expect-error total must be a number
      handler: () => ({ total: 'many' }),
    });
  });

  it('types function-valued parameters as async functions', () => {
    defineBinding({
      name: 'forEach',
      input: Type.Object({ items: Type.Array(Type.String()), fn: Fn(Type.String(), Type.Number()) }),
      handler: async ({ items, fn }) => {
        expectTypeOf(fn).toEqualTypeOf<(args: string) => Promise<number>>();
        return Promise.all(items.map(fn));
      },
    });
  });

  it('accepts async handlers and defaults the output to unknown', () => {
    const binding = defineBinding({
      name: 'anything',
      input: Type.Object({ n: Type.Integer() }),
      handler: async ({ n }) => n * 2,
    });
    expectTypeOf(binding).toEqualTypeOf<Binding<{ n: number }, unknown>>();
  });
});
