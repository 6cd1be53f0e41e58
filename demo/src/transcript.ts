import type { Client } from '@scomp/peer';
import { renderDeclarations } from '@scomp/peer/declarations';

export type Write = (line: string) => void;

const LABEL_WIDTH = 16;

/** Prints labelled, indented lines: the first with the label, the rest aligned under it. */
export function section(write: Write, label: string, lines: readonly string[]): void {
  lines.forEach((line, i) => write(`${(i === 0 ? label : '').padEnd(LABEL_WIDTH)}${line}`));
}

/** One line per binding: its TypeScript signature without doc comments, long ones cut short. */
export function abbreviatedDeclarations(bindings: Client['serverBindings'], maxLength = 96): string[] {
  const text = renderDeclarations(bindings).replace(/\/\*\*[\s\S]*?\*\/\n/g, '');
  // Top-level declarations are separated by blank lines.
  return text
    .split(/\n\s*\n/)
    .filter((block) => block.startsWith('declare function'))
    .map((block) => block.replace(/\s+/g, ' ').trim())
    .map((line) => abbreviate(line, maxLength));
}

/** The named types the declarations define (from the bindings' `$defs`). */
export function declaredTypeNames(bindings: Client['serverBindings']): string[] {
  return [...renderDeclarations(bindings).matchAll(/^type (\w+) =/gm)].map((match) => match[1]!);
}

/** The text, cut to `maxLength` characters with an ellipsis. */
export function abbreviate(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** A session id with the middle left out: enough to see that two are the same. */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 10)}…${id.slice(-4)}` : id;
}
