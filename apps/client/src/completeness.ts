import { parse } from 'acorn';

/**
 * Whether `code` stops in the middle of something (an open bracket, string template, comment, or
 * a statement cut short), so a REPL should read another line instead of sending it. Code with a
 * real syntax error is complete: the server reports the error.
 */
export function isIncomplete(code: string): boolean {
  try {
    parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      allowHashBang: true,
    });
    return false;
  } catch (error) {
    if (!(error instanceof SyntaxError)) return false;
    if (/^Unterminated (template|comment)/.test(error.message)) return true;
    // Acorn reports the position it gave up at; the end of the input means more text could fix it.
    const { pos } = error as SyntaxError & { pos?: number };
    return pos !== undefined && pos >= code.trimEnd().length && /^Unexpected token/.test(error.message);
  }
}
