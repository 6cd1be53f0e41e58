import { describe, expect, it } from 'vitest';
import { argsFromForm, formFields } from '../src/schemaForm.js';

const input = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Order id.' },
    status: { $ref: '#/$defs/Status' },
    quantity: { type: 'integer' },
    gift: { type: 'boolean' },
    lines: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'quantity'],
  $defs: { Status: { anyOf: [{ const: 'paid' }, { const: 'shipped' }] } },
};

describe('a form from a binding input schema', () => {
  it('has one field per property, typed from its schema, following $refs', () => {
    expect(formFields(input)).toEqual([
      { name: 'id', required: true, kind: 'string', description: 'Order id.' },
      { name: 'status', required: false, kind: 'enum', options: ['paid', 'shipped'] },
      { name: 'quantity', required: true, kind: 'integer' },
      { name: 'gift', required: false, kind: 'boolean' },
      { name: 'lines', required: false, kind: 'json' },
    ]);
    expect(formFields({ type: 'string' })).toBeUndefined();
  });

  it('builds the arguments, leaving out empty optional fields', () => {
    const fields = formFields(input)!;
    expect(argsFromForm(fields, { id: 'o_1', status: 'paid', quantity: '3', gift: true, lines: '["a"]' })).toEqual({
      id: 'o_1',
      status: 'paid',
      quantity: 3,
      gift: true,
      lines: ['a'],
    });
    expect(argsFromForm(fields, { id: 'o_1', quantity: '1', status: '' })).toEqual({ id: 'o_1', quantity: 1 });
  });

  it('names the field that is wrong', () => {
    const fields = formFields(input)!;
    expect(() => argsFromForm(fields, { quantity: '1' })).toThrow('id is required');
    expect(() => argsFromForm(fields, { id: 'x', quantity: '1.5' })).toThrow('quantity must be an integer');
    expect(() => argsFromForm(fields, { id: 'x', quantity: '1', lines: '[' })).toThrow('lines must be JSON');
  });
});
