import Type from 'typebox';
import { STANDARD_CLIENT_BINDINGS } from '@scomp/protocol';
import { defineBinding, type Binding } from '../binding.js';

/** A client's standard `confirm` binding for tests, and the questions it was asked. */
export interface Confirmer {
  /** Every question asked, in order (the binding's arguments as received). */
  questions: unknown[];
  binding: Binding;
}

/** The standard `confirm` binding answering every question with `answer`, recording the questions. */
export function confirmer(answer: boolean): Confirmer {
  const questions: unknown[] = [];
  const binding = defineBinding({
    name: 'confirm',
    input: Type.Unsafe(STANDARD_CLIENT_BINDINGS.confirm.input),
    handler: (question) => {
      questions.push(question);
      return answer;
    },
  });
  return { questions, binding };
}
