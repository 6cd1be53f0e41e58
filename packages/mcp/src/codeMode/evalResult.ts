import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { EvalError, ScompError } from '@scomp/peer';
import { applyOutputBudget } from './outputBudget.js';

/** The `eval` tool's declared `outputSchema`: what `structuredContent` holds. */
export const EVAL_OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    value: { description: 'The value of the last expression (absent when it is undefined).' },
    logs: { type: 'array', items: { type: 'string' }, description: 'console output, one line per call.' },
    error: {
      type: 'object',
      description: 'Present when the code failed.',
      properties: {
        name: { type: 'string' },
        message: { type: 'string' },
        line: { type: 'integer', description: 'Line of the submitted code where it was thrown.' },
        code: { type: 'integer', description: 'Error code of the failed binding call or limit.' },
        data: { description: 'Data of the failed binding call or limit.' },
      },
      required: ['name', 'message'],
    },
    omittedChars: { type: 'integer', description: 'Characters cut from value and logs to fit the output budget.' },
  },
  required: ['logs'],
} as const;

interface EvalFailure {
  name: string;
  message: string;
  line?: number;
  code?: number;
  data?: unknown;
}

/** A finished eval as an MCP tool result: `structuredContent` plus the same in a text block. */
export function evalToolResult(outcome: { value: unknown } | { error: unknown }, logs: string[], maxOutputChars: number): CallToolResult {
  const failure = 'error' in outcome ? describeFailure(outcome.error) : undefined;
  const budgeted = applyOutputBudget({ value: 'value' in outcome ? outcome.value : undefined, logs }, maxOutputChars);
  const structured: Record<string, unknown> = { logs: budgeted.logs };
  if (budgeted.value !== undefined) structured.value = budgeted.value;
  if (failure) structured.error = failure;
  if (budgeted.omittedChars !== undefined) structured.omittedChars = budgeted.omittedChars;

  const head = failure
    ? `${failure.name}: ${failure.message}${failure.line !== undefined ? ` (line ${failure.line})` : ''}`
    : budgeted.value === undefined
      ? 'undefined'
      : typeof budgeted.value === 'string' && budgeted.omittedChars !== undefined
        ? budgeted.value
        : JSON.stringify(budgeted.value, null, 2);
  const text = budgeted.logs.length > 0 ? `${head}\n\nlogs:\n${budgeted.logs.join('\n')}` : head;
  return {
    content: [{ type: 'text', text }],
    structuredContent: structured,
    ...(failure ? { isError: true } : {}),
  };
}

function describeFailure(error: unknown): EvalFailure {
  if (error instanceof EvalError) {
    const detail = error.detail as { name?: string; message?: string; stack?: string; code?: number; data?: unknown };
    const failure: EvalFailure = { name: detail.name ?? 'Error', message: detail.message ?? error.message };
    // The first frame is where it was thrown: `at f (<eval>:2:22)`; its line is one of the submitted code's.
    const line = /:(\d+):\d+\)?\s*$/m.exec(detail.stack ?? '')?.[1];
    if (line !== undefined) failure.line = Number(line);
    if (detail.code !== undefined) failure.code = detail.code;
    if (detail.data !== undefined) failure.data = detail.data;
    return failure;
  }
  if (error instanceof ScompError) {
    const reset = (error.data as { sessionReset?: boolean } | undefined)?.sessionReset === true;
    const failure: EvalFailure = {
      name: error.name,
      message: reset ? `${error.message}; the runtime was reset, earlier state is gone` : error.message,
      code: error.code,
    };
    if (error.data !== undefined) failure.data = error.data;
    return failure;
  }
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
