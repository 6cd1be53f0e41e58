import { parse, type Program } from 'acorn';

const DECLARING_WORD = /\b(?:let|const|class)\b/;

/** How many recent inputs a session remembers the rewrite of. */
const RECENT_INPUTS = 32;
/** Longer inputs are rewritten each time: their parse is small beside their run. */
const RECENT_MAX_CHARS = 4096;

/**
 * One session's rewriter: remembers the rewrite of its last few inputs, because an agent, a retry
 * or a loop often sends the same code again, and parsing it costs more than a short eval's run
 * (about 30 µs warm, milliseconds while the parser is cold). Kept per session, so that how long an
 * eval takes to start says nothing about what other sessions ran.
 */
export class DeclarationRewriter {
  private readonly recent = new Map<string, string>();

  /** How many inputs it remembers now. */
  get size(): number {
    return this.recent.size;
  }

  /** As {@link rewriteDeclarations}. */
  rewrite(code: string): string {
    if (code.length > RECENT_MAX_CHARS) return rewriteDeclarations(code);
    const known = this.recent.get(code);
    if (known !== undefined) {
      // Most recently used last, so the oldest is the first to go.
      this.recent.delete(code);
      this.recent.set(code, known);
      return known;
    }
    const rewritten = rewriteDeclarations(code);
    if (this.recent.size >= RECENT_INPUTS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(code, rewritten);
    return rewritten;
  }
}

/**
 * Rewrites the top-level `let`, `const` and `class` declarations of one eval input into `var`
 * declarations, so that a later eval may declare the same name again (as in the Node REPL) while
 * the value persists on the global object in between. Line numbers are kept: only the keyword is
 * replaced (`const` becomes `var  `), and `class X {}` becomes `var X = class X {}` on its line.
 * A top-level `let x;` becomes `var x = void 0;` so that redeclaring resets the value.
 *
 * Code that does not parse is returned unchanged, so QuickJS reports its own SyntaxError.
 */
export function rewriteDeclarations(code: string): string {
  // Keywords cannot be written with escapes, so code without these words has nothing to rewrite
  // and most evals skip the parse. A keyword stands between characters that cannot continue a
  // name, all outside `\w`: words that only contain one (`deleted`, `className`) skip it too.
  if (!DECLARING_WORD.test(code)) return code;
  let program: Program;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: false,
      allowHashBang: true,
    });
  } catch {
    return code;
  }
  const edits: { start: number; end: number; text: string }[] = [];
  for (const statement of program.body) {
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      const keyword = statement.kind;
      if (keyword !== 'let' && keyword !== 'const') continue;
      edits.push({ start: statement.start, end: statement.start + keyword.length, text: 'var'.padEnd(keyword.length) });
      for (const declarator of statement.declarations) {
        if (declarator.init === null || declarator.init === undefined) {
          edits.push({ start: declarator.id.end, end: declarator.id.end, text: ' = void 0' });
        }
      }
    } else if (statement.type === 'ClassDeclaration' && statement.id) {
      const name = statement.id.name;
      edits.push({ start: statement.start, end: statement.start, text: `var ${name} = ` });
      edits.push({ start: statement.end, end: statement.end, text: ';' });
    }
  }
  if (edits.length === 0) return code;
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += code.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + code.slice(at);
}
