import { EvalError, ScompError, type Client } from '@scomp/peer';
import { renderDeclarations } from '@scomp/peer/declarations';

/** One message of the conversation with the model. */
export interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Anything that continues a conversation: a hosted LLM, a local one, or a script in a test. */
export type Model = (messages: readonly Message[]) => Promise<string>;

export interface AgentOptions {
  client: Client;
  model: Model;
  task: string;
  /** Model turns before giving up. @default 8 */
  maxTurns?: number;
}

/** Describes the environment to the model: how to answer, and the server's bindings as TypeScript. */
export function systemPrompt(client: Client): string {
  return [
    'You drive a persistent JavaScript runtime. To act, answer with one ```js block; it runs as one',
    'eval, top-level await works, declarations persist between evals, and the value of the last',
    'expression comes back to you. When you are done, answer in plain text without a code block.',
    'These functions are available:',
    '```ts',
    renderDeclarations(client.serverBindings).trimEnd(),
    '```',
  ].join('\n');
}

const CODE_BLOCK = /```(?:js|javascript)\n([\s\S]*?)```/;

/**
 * The smallest useful agent loop: ask the model, run the code it writes, show it the result or
 * the error, and repeat until it answers in prose.
 */
export async function runAgent({ client, model, task, maxTurns = 8 }: AgentOptions): Promise<{ answer: string; messages: Message[] }> {
  const messages: Message[] = [
    { role: 'system', content: systemPrompt(client) },
    { role: 'user', content: task },
  ];
  for (let turn = 0; turn < maxTurns; turn++) {
    const reply = await model(messages);
    messages.push({ role: 'assistant', content: reply });
    const code = CODE_BLOCK.exec(reply)?.[1];
    if (code === undefined) return { answer: reply, messages };
    messages.push({ role: 'user', content: await observe(client, code) });
  }
  throw new Error(`no answer after ${maxTurns} turns`);
}

/** Runs the model's code; a failure is something for the model to read, not a crash of the loop. */
async function observe(client: Client, code: string): Promise<string> {
  try {
    const value = await client.eval(code, { timeoutMs: 30_000 });
    return `Result: ${value === undefined ? 'undefined' : JSON.stringify(value)}`;
  } catch (error) {
    if (error instanceof EvalError) return `Error: ${error.message}`;
    if (error instanceof ScompError) return `Error (${error.name}): ${error.message}`;
    throw error;
  }
}
