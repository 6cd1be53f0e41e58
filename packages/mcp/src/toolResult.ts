import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpToolError } from './errors.js';

/**
 * How a tool result becomes a binding's value (the package README has the table):
 * `structuredContent` is the value; text blocks only: each block JSON-parsed where it parses, else
 * the text (one block gives its value, several an array); anything else (images, audio, resources)
 * keeps its blocks as `{ content }`; no content at all is `null`.
 */
export function toolResultValue(tool: string, result: CallToolResult): unknown {
  const content = result.content ?? [];
  if (result.isError === true) {
    const text = textOf(content);
    throw new McpToolError(text === '' ? `${tool} failed` : text, { tool, text, content });
  }
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (content.length === 0) return null;
  if (content.every((block) => block.type === 'text')) {
    const values = content.map((block) => parseText((block as { text: string }).text));
    return values.length === 1 ? values[0] : values;
  }
  return { content };
}

/** The text blocks of a result joined by newlines. */
export function textOf(content: readonly { type: string }[]): string {
  return content
    .filter((block): block is { type: 'text'; text: string } => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}

/** Where a JSON text can start (after whitespace): a thrown parse error costs more than the call's own work. */
const JSON_START = /^\s*[[{"\d-]|^\s*(?:true|false|null)\s*$/;

function parseText(text: string): unknown {
  if (!JSON_START.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The output schema of a tool without `outputSchema`: anything, described for the declarations. */
export const CONTENT_OUTPUT = {
  description:
    "The tool's text as JSON where it parses, else as a string (several text blocks: an array); { content: [...] } when the result holds images, audio or resources.",
} as const;
