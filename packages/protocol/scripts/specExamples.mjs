/**
 * Wire examples in spec/PROTOCOL.md are tagged with a comment on the line before their fence:
 *
 *     <!-- example: handshake -->
 *     ```json
 *     [ {"from": "client", "message": {…}}, … ]
 *     ```
 *
 * and must equal the `messages` of spec/examples/<name>.json. The protocol tests check this.
 * `node scripts/specExamples.mjs --write` rewrites every tagged block from its fixture.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SPEC_DIR = fileURLToPath(new URL('../../../spec/', import.meta.url));

const BLOCK = /<!-- example: ([a-z0-9-]+) -->\n```json\n([\s\S]*?)\n```/g;

/** Every fenced json block of the markdown, with the example name it is tagged with (or null). */
export function extractJsonBlocks(markdown) {
  const blocks = [];
  const fence = /(?:<!-- example: ([a-z0-9-]+) -->\n)?```json\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(fence)) {
    const line = markdown.slice(0, match.index).split('\n').length;
    blocks.push({ name: match[1] ?? null, text: match[2], line });
  }
  return blocks;
}

export function readFixture(name) {
  return JSON.parse(readFileSync(`${SPEC_DIR}examples/${name}.json`, 'utf8'));
}

/** JSON laid out for reading: a value that fits on one line stays on one line. */
export function formatJson(value, indent = '', width = 120) {
  const flat = flatJson(value);
  if (indent.length + flat.length <= width || typeof value !== 'object' || value === null) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => inner + formatJson(item, inner, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).map(
    ([key, item]) => `${inner}${JSON.stringify(key)}: ${formatJson(item, inner, width)}`,
  );
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

function flatJson(value) {
  if (Array.isArray(value)) return `[${value.map(flatJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${flatJson(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** A fixture's messages as they appear in the spec: one message per line where it fits. */
export function formatMessages(messages, width = 120) {
  const entries = messages.map(({ from, message }) => {
    const head = `{"from": ${JSON.stringify(from)}, "message": `;
    const flat = `${head}${flatJson(message)}}`;
    return flat.length + 3 <= width ? `  ${flat}` : `  ${head}${formatJson(message, '  ', width)}}`;
  });
  return `[\n${entries.join(',\n')}\n]`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  const specFile = `${SPEC_DIR}PROTOCOL.md`;
  const markdown = readFileSync(specFile, 'utf8');
  const updated = markdown.replace(
    BLOCK,
    (_, name) => `<!-- example: ${name} -->\n\`\`\`json\n${formatMessages(readFixture(name).messages)}\n\`\`\``,
  );
  writeFileSync(specFile, updated);
  console.log('spec examples rewritten from spec/examples/');
}
