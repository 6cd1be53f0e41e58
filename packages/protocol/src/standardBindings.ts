import Type, { type Static } from 'typebox';
import type { BindingMeta } from './bindings.js';
import { CONSOLE_BINDING_NAME } from './valueRules.js';

/**
 * Standard client bindings: names and shapes that every client may declare and every runtime,
 * component and tool may rely on. A client declares only those it can serve; guest code checks
 * for one with `typeof html_panel !== 'undefined'`. Shapes follow the rich-content and logging
 * messages of composable agent chains (structured log, HTML panels, file comments).
 */

export { CONSOLE_BINDING_NAME };
/** The structured log sent upstream, as invoke notifications so it never slows the sender. */
export const LOG_BINDING_NAME = 'log';

export const LogLevel = Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]);
export type LogLevel = Static<typeof LogLevel>;

export const LogEntry = Type.Object({
  level: LogLevel,
  message: Type.String(),
  data: Type.Optional(Type.Unknown()),
});
export type LogEntry = Static<typeof LogEntry>;

export const ConsoleEntry = Type.Object({
  level: Type.String(),
  args: Type.Array(Type.Unknown()),
});
export type ConsoleEntry = Static<typeof ConsoleEntry>;

export const HtmlPanelShowParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  label: Type.Optional(Type.String()),
  contents: Type.Optional(Type.String()),
});
export type HtmlPanelShowParams = Static<typeof HtmlPanelShowParams>;

export const HtmlPanelIdParams = Type.Object({ id: Type.String({ minLength: 1 }) });
export type HtmlPanelIdParams = Static<typeof HtmlPanelIdParams>;

export const FilePosition = Type.Object({
  line: Type.Integer({ minimum: 1 }),
  column: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type FilePosition = Static<typeof FilePosition>;

export const FileCommentShowParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  url: Type.String({ minLength: 1 }),
  start: FilePosition,
  end: Type.Optional(FilePosition),
  can_reply: Type.Boolean(),
  /** The comment's text; optional so that a bare placement from another protocol's shape still validates. */
  body: Type.Optional(Type.String()),
});
export type FileCommentShowParams = Static<typeof FileCommentShowParams>;

/** Asks the user whether to let a call through; components that gate effects ask upstream with it. */
export const CONFIRM_BINDING_NAME = 'confirm';

export const ConfirmParams = Type.Object({
  /** What the user is asked, in one sentence. */
  message: Type.String(),
  /** The binding whose call waits for the answer. */
  binding: Type.Optional(Type.String()),
  args: Type.Optional(Type.Unknown()),
  effects: Type.Optional(Type.Array(Type.String())),
});
export type ConfirmParams = Static<typeof ConfirmParams>;

function meta(name: string, description: string, input: unknown, output: unknown, effects: BindingMeta['effects']): BindingMeta {
  return { name, description, input: input as BindingMeta['input'], output: output as BindingMeta['output'], effects };
}

/** The metadata of each standard client binding, ready to declare in a handshake. */
export const STANDARD_CLIENT_BINDINGS = {
  console: meta(CONSOLE_BINDING_NAME, 'Console output of guest code, sent as invoke notifications.', ConsoleEntry, Type.Null(), ['external']),
  log: meta(LOG_BINDING_NAME, 'A structured log entry sent upstream, as an invoke notification.', LogEntry, Type.Null(), ['external']),
  'html_panel.show': meta(
    'html_panel.show',
    'Shows an HTML panel, or updates an existing one and brings it to the front. A new panel needs both label and contents.',
    HtmlPanelShowParams,
    Type.Null(),
    ['external'],
  ),
  'html_panel.clear': meta('html_panel.clear', 'Removes an HTML panel.', HtmlPanelIdParams, Type.Null(), ['external']),
  'html_panel.get': meta(
    'html_panel.get',
    "Returns an HTML panel's current contents, or null when there is no such panel.",
    HtmlPanelIdParams,
    Type.Union([Type.String(), Type.Null()]),
    ['read'],
  ),
  'file_comment.show': meta(
    'file_comment.show',
    'Places a comment on a range of lines in a file. Without end, the comment spans to the end of the start line.',
    FileCommentShowParams,
    Type.Null(),
    ['external'],
  ),
  confirm: meta(
    CONFIRM_BINDING_NAME,
    'Asks the user to approve a call; resolves true to let it through, false to refuse it.',
    ConfirmParams,
    Type.Boolean(),
    ['read'],
  ),
} as const satisfies Record<string, BindingMeta>;
export type StandardClientBindingName = keyof typeof STANDARD_CLIENT_BINDINGS;
