import { inspect } from 'node:util';
import Type from 'typebox';
import { InvalidParamsError, defineBinding, type Binding } from '@scomp/peer';
import { FileCommentShowParams, HtmlPanelIdParams, HtmlPanelShowParams, LogEntry, STANDARD_CLIENT_BINDINGS, type FilePosition } from '@scomp/protocol';

/** HTML as terminal text: tags dropped, block ends as line breaks, the common entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|h[1-6]|li|tr|pre)>/gi, '\n')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function position(at: FilePosition): string {
  return at.column === undefined ? `${at.line}` : `${at.line}:${at.column}`;
}

/**
 * The standard client bindings a terminal can serve: the structured `log` printed as
 * `[log level] message data`, HTML panels printed as text when shown, and file comments printed
 * with their location.
 */
export function richContentBindings(write: (text: string) => void): Binding[] {
  const panels = new Map<string, { label: string; contents: string }>();
  const meta = STANDARD_CLIENT_BINDINGS;
  return [
    defineBinding({
      name: meta.log.name,
      description: meta.log.description,
      input: LogEntry,
      effects: ['external'],
      handler: ({ level, message, data }) => {
        write(`[log ${level}] ${message}${data === undefined ? '' : ` ${inspect(data, { depth: 6, breakLength: Infinity })}`}\n`);
        return null;
      },
    }),
    defineBinding({
      name: 'html_panel.show',
      description: meta['html_panel.show'].description,
      input: HtmlPanelShowParams,
      effects: ['external'],
      handler: ({ id, label, contents }) => {
        const existing = panels.get(id);
        if (!existing && (label === undefined || contents === undefined)) {
          throw new InvalidParamsError('a new panel needs both label and contents', { issues: [{ path: '', message: `no panel ${id} yet` }] });
        }
        const panel = { label: label ?? existing!.label, contents: contents ?? existing!.contents };
        panels.set(id, panel);
        const rule = '─'.repeat(Math.max(8, Math.min(60, panel.label.length + 4)));
        write(`┌ panel ${panel.label} (${id})\n${htmlToText(panel.contents)}\n└${rule}\n`);
        return null;
      },
    }),
    defineBinding({
      name: 'html_panel.clear',
      description: meta['html_panel.clear'].description,
      input: HtmlPanelIdParams,
      effects: ['external'],
      handler: ({ id }) => {
        if (panels.delete(id)) write(`[panel ${id} cleared]\n`);
        return null;
      },
    }),
    defineBinding({
      name: 'html_panel.get',
      description: meta['html_panel.get'].description,
      input: HtmlPanelIdParams,
      output: Type.Union([Type.String(), Type.Null()]),
      effects: ['read'],
      handler: ({ id }) => panels.get(id)?.contents ?? null,
    }),
    defineBinding({
      name: 'file_comment.show',
      description: meta['file_comment.show'].description,
      input: FileCommentShowParams,
      effects: ['external'],
      handler: (comment) => {
        const range = comment.end ? `${position(comment.start)}-${position(comment.end)}` : position(comment.start);
        const reply = comment.can_reply ? ' (replies welcome)' : '';
        write(`[comment ${comment.id}] ${comment.url}:${range}${reply}${comment.body === undefined ? '' : `\n  ${comment.body}`}\n`);
        return null;
      },
    }),
  ];
}
