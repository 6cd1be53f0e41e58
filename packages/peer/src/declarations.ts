import { CONSOLE_BINDING_NAME, bindingSchema, type BindingMeta } from '@scomp/protocol';
import { TypeRenderer, acceptsNoArgs, replaceTokens, type SchemaDef, type SchemaDocument } from './schemaToTs.js';
import { commentLines, indent, isRecord, jsDoc, propertyKey, schemaDocLines } from './tsText.js';
import { BUILT_IN_NAMES, RESERVED_WORDS, nameDefs } from './typeNames.js';

export interface RenderDeclarationsOptions {
  /** Text placed before the declarations, as `//` comment lines. No header by default. */
  header?: string;
}

interface Signature {
  readonly doc: string[];
  readonly parameter: string;
  readonly output: string;
}

/** A level of the dotted-name tree: the bindings named exactly here and the namespaces below. */
interface NameNode {
  readonly signatures: Signature[];
  readonly children: Map<string, NameNode>;
}

/**
 * Renders bindings as TypeScript declarations: one `declare function` per binding, dotted names
 * as namespaces, and each `$defs` schema they reference as a named type. The text is meant for a
 * reader writing code against the runtime, and it compiles on its own (ES2022 lib). Declarations
 * are sorted by name, so the text does not depend on the order of `bindings`.
 *
 * The reserved `console` binding is not callable from code, so it is left out.
 */
export function renderDeclarations(
  bindings: readonly BindingMeta[],
  options: RenderDeclarationsOptions = {},
): string {
  const renderer = new TypeRenderer();
  const sorted = bindings
    .filter((meta) => meta.name !== CONSOLE_BINDING_NAME)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pending = sorted.map((meta) => {
    // Binding-level `$defs` join each schema's own, so `#/$defs/Name` resolves as it does on the wire.
    const inputSchema = bindingSchema(meta, 'input');
    const outputSchema = bindingSchema(meta, 'output');
    const input: SchemaDocument = { root: inputSchema, owner: meta.name, role: 'Input' };
    const output: SchemaDocument = { root: outputSchema, owner: meta.name, role: 'Output' };
    const inputType = renderer.type(inputSchema, input).text;
    const outputType = outputSchema === undefined ? 'unknown' : renderer.type(outputSchema, output).text;
    return { meta, input, output, inputType, outputType };
  });
  renderer.renderDefs();
  const { names, distinct } = nameDefs(renderer.defs);
  const eagerReach = new Map<number, Set<number>>();
  // TS rejects a type alias that reaches itself without passing through an object, array or
  // function type (`type A = B | null; type B = A`), so such a reference degrades to `unknown`.
  const resolve = (text: string, owner?: SchemaDef) =>
    replaceTokens(text, (id, eager) =>
      eager && owner !== undefined && reachesEagerly(renderer.defs, id, owner.id, eagerReach) ? 'unknown' : names[id]!,
    );
  const rootType = (document: SchemaDocument, inline: string) => {
    const root = renderer.rootDef(document);
    return resolve(root === undefined ? inline : TypeRenderer.token(root.id));
  };

  const tree: NameNode = { signatures: [], children: new Map() };
  for (const { meta, input, output, inputType, outputType } of pending) {
    const optional = acceptsNoArgs(input.root, input) ? '?' : '';
    const signature: Signature = {
      doc: bindingDoc(meta),
      parameter: `args${optional}: ${rootType(input, inputType)}`,
      output: meta.output === undefined ? outputType : rootType(output, outputType),
    };
    let node = tree;
    for (const segment of meta.name.split('.')) {
      let child = node.children.get(segment);
      if (child === undefined) node.children.set(segment, (child = { signatures: [], children: new Map() }));
      node = child;
    }
    node.signatures.push(signature);
  }

  const sections: string[] = [];
  if (options.header !== undefined) {
    sections.push(commentLines(options.header, false).map((line) => `// ${line}`.trimEnd()).join('\n'));
  }
  const byName = (a: SchemaDef, b: SchemaDef) => (names[a.id]! < names[b.id]! ? -1 : 1);
  for (const def of [...distinct].sort(byName)) {
    const body = resolve(def.body, def);
    sections.push([...jsDoc(schemaDocLines(def.schema)), `type ${names[def.id]} = ${body};`].join('\n'));
  }
  for (const name of sortedKeys(tree.children)) sections.push(renderRoot(name, tree.children.get(name)!));
  return sections.length === 0 ? '' : `${sections.join('\n\n')}\n`;
}

function reachesEagerly(
  defs: readonly SchemaDef[],
  from: number,
  to: number,
  memo: Map<number, Set<number>>,
): boolean {
  let reach = memo.get(from);
  if (reach === undefined) {
    reach = new Set();
    const stack = [from];
    for (let id = stack.pop(); id !== undefined; id = stack.pop())
      for (const next of defs[id]!.eagerRefs) if (!reach.has(next) && reach.add(next)) stack.push(next);
    memo.set(from, reach);
  }
  return from === to || reach.has(to);
}

function bindingDoc(meta: BindingMeta): string[] {
  const lines: string[] = [];
  const add = (text: string) => lines.push(...commentLines(text));
  if (typeof meta.description === 'string' && meta.description.trim() !== '') add(meta.description.trim());
  if (isRecord(meta.input) && typeof meta.input.description === 'string') add(`@param args ${meta.input.description}`);
  if (isRecord(meta.output) && typeof meta.output.description === 'string') add(`@returns ${meta.output.description}`);
  const effects = Array.isArray(meta.effects) ? meta.effects.filter((e) => typeof e === 'string') : undefined;
  if (effects !== undefined) add(`@effects ${effects.length === 0 ? 'none' : effects.join(', ')}`);
  const hints = isRecord(meta.hints) ? meta.hints : {};
  if (hints.deprecated === true) add('@deprecated');
  if (typeof hints.deprecated === 'string') add(`@deprecated ${hints.deprecated}`);
  if (typeof hints.idempotent === 'boolean') add(hints.idempotent ? '@idempotent' : '@idempotent false');
  if (typeof hints.expectedDurationMs === 'number') add(`@expectedDurationMs ${hints.expectedDurationMs}`);
  for (const example of Array.isArray(hints.examples) ? hints.examples : []) {
    try {
      add(`@example ${JSON.stringify(example)}`);
    } catch {
      // An example that is not JSON is not worth showing.
    }
  }
  return lines;
}

function sortedKeys(map: Map<string, unknown>): string[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function hasReservedMember(node: NameNode): boolean {
  return [...node.children].some(([name, child]) => RESERVED_WORDS.has(name) || hasReservedMember(child));
}

function functionLines(keyword: string, name: string, signature: Signature): string[] {
  const head = `${keyword}${name}(${signature.parameter}): Promise<${signature.output}>;`;
  return [...jsDoc(signature.doc), head];
}

/**
 * A top-level name. Namespaces are the natural form, but a namespace member cannot be a reserved
 * word (`db.delete`), so such a tree is declared as a constant of an object type instead.
 */
function renderRoot(name: string, node: NameNode): string {
  if (RESERVED_WORDS.has(name) || BUILT_IN_NAMES.has(name)) {
    const omitted = collectNames(node, name).map((full) => JSON.stringify(full));
    return `// Not declared because "${name}" is a reserved or built-in name: ${omitted.join(', ')}`;
  }
  if (hasReservedMember(node)) return `declare const ${name}: ${objectType(node)};`;
  return namespaceMember('declare ', name, node);
}

function collectNames(node: NameNode, prefix: string): string[] {
  const own = node.signatures.length > 0 ? [prefix] : [];
  const below = sortedKeys(node.children).flatMap((key) => collectNames(node.children.get(key)!, `${prefix}.${key}`));
  return [...own, ...below];
}

function namespaceMember(keyword: string, name: string, node: NameNode): string {
  // A function must come before the namespace it merges with.
  const blocks = node.signatures.map((signature) => functionLines(`${keyword}function `, name, signature).join('\n'));
  if (node.children.size > 0) {
    const members = sortedKeys(node.children).map((key) => namespaceMember('', key, node.children.get(key)!));
    blocks.push(`${keyword}namespace ${name} {\n${indent(members.join('\n\n'))}\n}`);
  }
  return blocks.join('\n\n');
}

function objectType(node: NameNode): string {
  const members = node.signatures.map((signature) => functionLines('', '', signature).join('\n'));
  for (const key of sortedKeys(node.children)) {
    const child = node.children.get(key)!;
    // Quoted, `new(…)` would declare a construct signature.
    const member = key === 'new' ? '"new"' : propertyKey(key);
    if (child.children.size > 0) members.push(`${member}: ${objectType(child)};`);
    else members.push(...child.signatures.map((signature) => functionLines('', member, signature).join('\n')));
  }
  return `{\n${indent(members.join('\n\n'))}\n}`;
}
