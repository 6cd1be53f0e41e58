import Type, { type Static, type TSchema } from 'typebox';
import { CancelledError, InvalidParamsError, defineBinding, type Binding } from '@scomp/peer';

/** The states of an order, as a schema (the shop's `$defs.OrderStatus`) and as a type. */
export const OrderStatus = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('paid'),
    Type.Literal('shipped'),
    Type.Literal('delivered'),
    Type.Literal('cancelled'),
    Type.Literal('refunded'),
  ],
  { description: 'Where the order is in its life.' },
);
export type OrderStatus = Static<typeof OrderStatus>;

const LineItem = Type.Object(
  {
    sku: Type.String({ description: 'Stock keeping unit.' }),
    name: Type.String(),
    quantity: Type.Integer({ minimum: 1 }),
    unitPrice: Type.Number({ minimum: 0, description: 'Price of one unit, in the order currency.' }),
  },
  { description: 'One product line of an order.' },
);

/** A customer order, as a schema (the shop's `$defs.Order`) and as a type. */
export const Order = Type.Object(
  {
    id: Type.String({ description: 'Order id, like "o_001".' }),
    customer: Type.String({ description: 'Customer name.' }),
    status: ref<typeof OrderStatus>('OrderStatus'),
    items: Type.Array(ref<typeof LineItem>('LineItem')),
    total: Type.Number({ description: 'Sum of the lines, in the order currency.' }),
    currency: Type.String({ description: 'ISO 4217 code.' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { description: 'A customer order.' },
);
export type Order = Static<typeof Order>;

const defs = { Order, LineItem, OrderStatus };

/** A reference to one of the shop's `$defs`, typed as the schema it points to. */
function ref<TSchemaType extends TSchema>(name: 'Order' | 'LineItem' | 'OrderStatus') {
  return Type.Unsafe<Static<TSchemaType>>({ $ref: `#/$defs/${name}` });
}

/** A root schema carrying the shop's `$defs`, so its `$ref`s resolve locally. */
function withDefs<TSchemaType extends TSchema>(schema: TSchemaType) {
  return Type.Unsafe<Static<TSchemaType>>({ ...schema, $defs: defs });
}

function seedOrders(): Order[] {
  const line = (sku: string, name: string, quantity: number, unitPrice: number) => ({ sku, name, quantity, unitPrice });
  const order = (id: string, customer: string, status: OrderStatus, createdAt: string, items: Order['items']): Order => ({
    id,
    customer,
    status,
    items,
    total: items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0),
    currency: 'EUR',
    createdAt,
  });
  return [
    order('o_001', 'Ada Lovelace', 'paid', '2025-03-01T09:30:00.000Z', [
      line('kb-01', 'Mechanical keyboard', 1, 120),
      line('cb-02', 'USB-C cable', 3, 7.5),
    ]),
    order('o_002', 'Alan Turing', 'pending', '2025-03-02T14:05:00.000Z', [line('mn-27', '27" monitor', 1, 289.99)]),
    order('o_003', 'Grace Hopper', 'shipped', '2025-03-03T08:12:00.000Z', [
      line('ms-01', 'Wireless mouse', 2, 24.9),
      line('pd-03', 'Mouse pad', 2, 9),
    ]),
    order('o_004', 'Edsger Dijkstra', 'delivered', '2025-02-20T17:45:00.000Z', [line('hp-11', 'Headphones', 1, 79)]),
    order('o_005', 'Barbara Liskov', 'cancelled', '2025-02-25T11:00:00.000Z', [line('dk-05', 'Docking station', 1, 159)]),
  ];
}

/** The demo's in-memory order shop. One per server process: every session sees the same orders. */
export class OrderShop {
  private readonly orders = new Map<string, Order>();

  constructor(orders: Order[] = seedOrders()) {
    for (const order of orders) this.orders.set(order.id, order);
  }

  get(id: string): Order {
    const order = this.orders.get(id);
    if (!order) throw new InvalidParamsError(`no order ${id}`, { issues: [{ path: '/id', message: `no order ${id}` }] });
    return structuredClone(order);
  }

  list(status?: OrderStatus): Order[] {
    return [...this.orders.values()].filter((order) => status === undefined || order.status === status).map((o) => structuredClone(o));
  }

  setStatus(id: string, status: OrderStatus): Order {
    this.get(id);
    this.orders.get(id)!.status = status;
    return this.get(id);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError('lookup cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('lookup cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The order shop's bindings: read, list, update and refund orders, an echo, and a deliberately slow lookup. */
export function demoBindings(shop: OrderShop = new OrderShop()): Binding[] {
  const OrderId = Type.String({ description: 'Order id, like "o_001".' });
  return [
    defineBinding({
      name: 'getOrder',
      description: 'Fetch one order by id. Fails with invalid params if there is no such order.',
      input: Type.Object({ id: OrderId }),
      output: withDefs(ref<typeof Order>('Order')),
      effects: ['read'],
      hints: { idempotent: true, examples: [{ id: 'o_001' }] },
      handler: ({ id }) => shop.get(id),
    }),
    defineBinding({
      name: 'listOrders',
      description: 'List orders, optionally only those with one status.',
      input: withDefs(Type.Object({ status: Type.Optional(ref<typeof OrderStatus>('OrderStatus')) })),
      output: withDefs(Type.Array(ref<typeof Order>('Order'))),
      effects: ['read'],
      hints: { idempotent: true },
      handler: ({ status }) => shop.list(status),
    }),
    defineBinding({
      name: 'updateOrder',
      description: 'Set the status of an order. Returns the updated order.',
      input: withDefs(Type.Object({ id: OrderId, status: ref<typeof OrderStatus>('OrderStatus') })),
      output: withDefs(ref<typeof Order>('Order')),
      effects: ['write'],
      hints: { idempotent: true },
      handler: ({ id, status }) => shop.setStatus(id, status),
    }),
    defineBinding({
      name: 'refund',
      description: 'Refund a paid, shipped or delivered order in full. This cannot be undone.',
      input: Type.Object({ id: OrderId, reason: Type.Optional(Type.String({ description: 'Shown to the customer.' })) }),
      output: Type.Object({ id: Type.String(), refunded: Type.Number({ description: 'Amount refunded.' }) }),
      effects: ['destructive'],
      handler: ({ id }) => {
        const order = shop.get(id);
        if (!['paid', 'shipped', 'delivered'].includes(order.status)) {
          throw new InvalidParamsError(`order ${id} is ${order.status} and cannot be refunded`, {
            issues: [{ path: '/id', message: `order is ${order.status}` }],
          });
        }
        shop.setStatus(id, 'refunded');
        return { id, refunded: order.total };
      },
    }),
    defineBinding({
      name: 'echo',
      description: 'Return the argument unchanged. For trying out values and function references, and for scomp-conformance.',
      input: Type.Unknown(),
      output: Type.Unknown(),
      effects: ['pure'],
      hints: { idempotent: true },
      handler: (args) => args,
    }),
    defineBinding({
      name: 'slowLookup',
      description: 'Wait `ms` milliseconds, then answer. For trying out concurrency and cancellation.',
      input: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 600_000, description: 'How long to wait.' }) }),
      output: Type.Object({ waitedMs: Type.Integer() }),
      effects: ['read'],
      hints: { expectedDurationMs: 1000 },
      handler: async ({ ms }, { signal }) => {
        await sleep(ms, signal);
        return { waitedMs: ms };
      },
    }),
  ];
}
