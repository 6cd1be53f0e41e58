#!/usr/bin/env node
// The API report of a published package: every entry of its `exports` map, with the declaration of
// each export as the built `.d.ts` files state it, written to `api-report.md` beside its
// package.json. Checked in `pnpm test`, so that a change to a package's public surface shows up as a
// diff that someone decides on, rather than as a side effect of an edit.
//
//   node scripts/apiReport.mjs [--update] [--all | packageDir…]   (default: the current directory)
//
// --all means every published (not private) package under packages/.
//
// Without --update it compares the report with the committed one and fails on a difference.
// Declarations that an export refers to but the entry does not export (a class's generated base,
// an option type left out) are listed too, under their own heading, so leaving one out is visible.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPORT = 'api-report.md';
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

const args = process.argv.slice(2);
const update = args.includes('--update');
const dirs = args.includes('--all') ? publishedPackages() : args.filter((arg) => !arg.startsWith('--'));
let failed = false;
for (const dir of dirs.length > 0 ? dirs : ['.']) {
  const packageDir = resolve(dir);
  const text = renderReport(packageDir);
  const file = join(packageDir, REPORT);
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (update) {
    if (committed !== text) writeFileSync(file, text);
    console.log(`${relative(process.cwd(), file) || REPORT}: ${committed === text ? 'unchanged' : 'written'}`);
  } else if (committed !== text) {
    failed = true;
    console.error(`${file} does not match the package's built declarations:\n${firstDifference(committed ?? '', text)}`);
    console.error('If the change to the public surface is deliberate, run `pnpm api:update` and commit the report.');
  }
}
if (failed) process.exitCode = 1;

function publishedPackages() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages');
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, 'package.json')) && !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);
}

/** The report of one package, from its package.json `exports` and the built declarations. */
function renderReport(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const entries = Object.entries(manifest.exports ?? {})
    .filter(([, target]) => typeof target === 'object' && target !== null && typeof target.types === 'string')
    .map(([subpath, target]) => ({ specifier: join(manifest.name, subpath).replaceAll('\\', '/'), file: join(packageDir, target.types) }));
  for (const entry of entries) {
    if (!existsSync(entry.file)) throw new Error(`${entry.file} is missing: build the package first`);
  }
  const program = ts.createProgram(
    entries.map((entry) => entry.file),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true, types: [] },
  );
  const checker = program.getTypeChecker();
  const distDir = join(packageDir, 'dist');
  const sections = entries.map((entry) => renderEntry(program, checker, entry, distDir));
  return [
    `# API report: ${manifest.name}`,
    '',
    'Generated from the built declarations by `scripts/apiReport.mjs`; do not edit. After a deliberate',
    'change to the public surface, run `pnpm api:update` and commit this file with the change.',
    '',
    ...sections,
  ].join('\n');
}

function renderEntry(program, checker, entry, distDir) {
  const source = program.getSourceFile(entry.file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const exported = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  const lines = [`## \`${entry.specifier}\``, ''];
  if (exported.length === 0) return [...lines, 'No exports.', ''].join('\n');
  const exportedTargets = new Set();
  const blocks = [];
  for (const symbol of [...exported].sort((a, b) => compare(a.name, b.name))) {
    const target = resolveAlias(checker, symbol);
    exportedTargets.add(target);
    const declarations = target.declarations ?? [];
    const alias = declarations.some((node) => declarationName(node) !== symbol.name) ? `// exported as ${symbol.name}\n` : '';
    blocks.push(alias + declarations.map((node) => print(node)).join('\n'));
  }
  lines.push('```ts', blocks.join('\n\n'), '```', '');
  const referenced = referencedLocals(checker, [...exportedTargets], exportedTargets, distDir);
  if (referenced.length > 0) {
    lines.push('### Referenced by the exports above but not exported from this entry', '', '```ts');
    lines.push(referenced.map((symbol) => (symbol.declarations ?? []).map((node) => print(node)).join('\n')).join('\n\n'), '```', '');
  }
  return lines.join('\n');
}

/**
 * Declarations in this package's own `dist` that the exports refer to, directly or through each
 * other, and that the entry does not export.
 */
function referencedLocals(checker, roots, exportedTargets, distDir) {
  const found = new Map();
  const queue = [...roots];
  while (queue.length > 0) {
    const symbol = queue.shift();
    for (const declaration of symbol.declarations ?? []) {
      const visit = (node) => {
        if (ts.isIdentifier(node) && !isDeclarationName(node)) {
          const referenced = checker.getSymbolAtLocation(node);
          const target = referenced && resolveAlias(checker, referenced);
          if (target && !exportedTargets.has(target) && !found.has(target) && isOwnTopLevel(target, distDir)) {
            found.set(target, target);
            queue.push(target);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(declaration);
    }
  }
  return [...found.values()].sort((a, b) => compare(a.name, b.name) || compare(fileOf(a), fileOf(b)));
}

function isOwnTopLevel(symbol, distDir) {
  const declaration = symbol.declarations?.[0];
  if (!declaration) return false;
  const file = declaration.getSourceFile().fileName;
  if (!resolve(file).startsWith(distDir)) return false;
  // Members and parameters belong to the declaration that holds them, which is printed whole.
  const statement = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  return statement.parent !== undefined && ts.isSourceFile(statement.parent);
}

function isDeclarationName(node) {
  const parent = node.parent;
  return parent !== undefined && 'name' in parent && parent.name === node && !ts.isQualifiedName(parent) && !ts.isPropertyAccessExpression(parent);
}

function resolveAlias(checker, symbol) {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function declarationName(node) {
  return node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
}

function fileOf(symbol) {
  return symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
}


/** A declaration as the `.d.ts` states it, without comments, `export`, `declare` and private members. */
function print(node) {
  const statement = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  const text = printer.printNode(ts.EmitHint.Unspecified, statement, statement.getSourceFile());
  // Private members are no one's API; a private constructor is kept, since it forbids `new`.
  return text
    .replace(/^export (default )?/, '')
    .replace(/^declare /, '')
    .replace(/^\s+(private (readonly )?[\w$]+|#private);\n/gm, '');
}

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstDifference(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  const show = (lines) => lines.slice(line, line + 6).map((text) => `  ${text}`).join('\n') || '  (nothing)';
  return `first difference at line ${line + 1}\n committed:\n${show(a)}\n built:\n${show(b)}`;
}
