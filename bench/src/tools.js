// The three tools every system under test serves: echo a number, measure a string, take one step.
// Plain JavaScript, so a runtime's worker thread can import it (moduleBinding) as it is.
import { defineBinding } from '@scomp/peer';
import Type from 'typebox';

export const echo = defineBinding({
  name: 'echo',
  input: Type.Object({ n: Type.Number() }),
  output: Type.Object({ n: Type.Number() }),
  handler: (args) => args,
});

export const size = defineBinding({
  name: 'size',
  input: Type.Object({ s: Type.String() }),
  output: Type.Number(),
  handler: ({ s }) => s.length,
});

export const step = defineBinding({
  name: 'step',
  input: Type.Object({ x: Type.Number() }),
  output: Type.Object({ x: Type.Number() }),
  handler: ({ x }) => ({ x: x + 1 }),
});
