import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { EVAL_OUTPUT_SCHEMA } from './evalResult.js';

/** The tools code mode lists: `eval` with its description, `reset`, and `describe` for large binding sets. */
export function codeModeTools(evalDescription: string, describe: boolean): Tool[] {
  const tools: Tool[] = [
    {
      name: 'eval',
      description: evalDescription,
      inputSchema: {
        type: 'object',
        properties: {
          code: { type: 'string', description: 'JavaScript to run; the value of its last expression is returned.' },
          timeoutMs: { type: 'integer', minimum: 1, description: 'Stop the code after this many milliseconds.' },
        },
        required: ['code'],
      },
      outputSchema: EVAL_OUTPUT_SCHEMA as unknown as Tool['outputSchema'],
    },
    {
      name: 'reset',
      description: 'Discards the runtime state (every variable and function eval declared) and starts a fresh runtime.',
      inputSchema: { type: 'object', properties: {} },
    },
  ];
  if (describe) {
    tools.push({
      name: 'describe',
      description: 'TypeScript declarations of the bindings whose name or description contains one of the query words.',
      inputSchema: {
        type: 'object',
        properties: { query: { type: 'string', description: 'Words to look for, like "order refund".' } },
        required: ['query'],
      },
    });
  }
  return tools;
}
