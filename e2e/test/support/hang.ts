import Type from 'typebox';
import { defineBinding } from '@scomp/peer';

/** A client binding `hang` that never answers, and `called`, which settles once guest code called it. */
export function hangingBinding() {
  let reached!: () => void;
  const called = new Promise<void>((resolve) => (reached = resolve));
  const binding = defineBinding({
    name: 'hang',
    input: Type.Object({}),
    handler: () => {
      reached();
      return new Promise(() => {});
    },
  });
  return { called, binding };
}
