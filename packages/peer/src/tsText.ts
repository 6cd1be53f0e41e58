/** Building blocks of TypeScript type text and doc comments, shared by the schema renderer. */

/** A rendered type with its precedence: 0 function, 1 union, 2 intersection, 3 atom. */
export interface TsType {
  readonly text: string;
  readonly prec: 0 | 1 | 2 | 3;
}

export const UNKNOWN: TsType = { text: 'unknown', prec: 3 };
export const NEVER: TsType = { text: 'never', prec: 3 };
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const DOC_KEYWORDS = [
  'format',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function union(parts: readonly TsType[]): TsType {
  const members = dedupe(parts.filter((part) => part.text !== 'never'));
  if (members.some((part) => part.text === 'unknown')) return UNKNOWN;
  if (members.length === 0) return NEVER;
  if (members.length === 1) return members[0]!;
  return { text: members.map((part) => wrap(part, 1)).join(' | '), prec: 1 };
}

export function intersection(parts: readonly TsType[]): TsType {
  const members = dedupe(parts.filter((part) => part.text !== 'unknown'));
  if (members.some((part) => part.text === 'never')) return NEVER;
  if (members.length === 0) return UNKNOWN;
  if (members.length === 1) return members[0]!;
  return { text: members.map((part) => wrap(part, 2)).join(' & '), prec: 2 };
}

function dedupe(parts: readonly TsType[]): TsType[] {
  const seen = new Set<string>();
  return parts.filter((part) => !seen.has(part.text) && seen.add(part.text));
}

export function wrap(type: TsType, minPrec: number): string {
  return type.prec < minPrec ? `(${type.text})` : type.text;
}

export function literal(value: unknown): TsType {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return UNKNOWN;
    return { text, prec: typeof value === 'number' && text.startsWith('-') ? 2 : 3 };
  } catch {
    return UNKNOWN;
  }
}

export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

export function indent(text: string, pad = '  '): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

/** Text safe inside a comment: no comment terminator, no control characters, split into lines. */
export function commentLines(text: string, block = true): string[] {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
  const clean = (block ? text.replace(/\*\//g, '*\\/') : text).replace(controls, '');
  return clean.split(/\r\n|\r|\n|\u2028|\u2029/).map((line) => line.trimEnd());
}

/** A JSDoc comment for `lines`: inline for one line, a block for more, nothing for none. */
export function jsDoc(lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`/** ${lines[0]} */`];
  return ['/**', ...lines.map((line) => (line === '' ? ' *' : ` * ${line}`)), ' */'];
}

/** Documentation carried by a schema: description (or title), deprecation, constraints, default. */
export function schemaDocLines(schema: unknown): string[] {
  if (!isRecord(schema)) return [];
  const lines: string[] = [];
  const text = typeof schema.description === 'string' ? schema.description : schema.title;
  if (typeof text === 'string' && text.trim() !== '') lines.push(...commentLines(text.trim()));
  if (schema.deprecated === true) lines.push('@deprecated');
  for (const keyword of DOC_KEYWORDS) {
    const value = schema[keyword];
    if (['string', 'number', 'boolean'].includes(typeof value)) {
      lines.push(...commentLines(`@${keyword} ${String(value)}`));
    }
  }
  if (Object.hasOwn(schema, 'default')) {
    const value = literal(schema.default);
    if (value !== UNKNOWN) lines.push(...commentLines(`@default ${value.text}`));
  }
  return lines;
}

