import { defineBinding, InvalidParamsError, type Binding } from '@scomp/peer';
import {
  ConsoleEntry,
  FileCommentShowParams,
  HtmlPanelIdParams,
  HtmlPanelShowParams,
  STANDARD_CLIENT_BINDINGS,
  type StandardClientBindingName,
} from '@scomp/protocol';
import Type, { type Static, type TSchema } from 'typebox';
import type { PageHost } from './host.js';

/**
 * `confirm` and `notify` are the playground's own: they need a person at a screen, which the
 * standard client bindings (console, log, HTML panels, file comments) do not assume.
 */
export const ConfirmParams = Type.Object({
  message: Type.String({ description: 'The question, answered yes or no.' }),
  title: Type.Optional(Type.String()),
});

export const NotifyParams = Type.Object({
  message: Type.String(),
  level: Type.Optional(
    Type.Union([Type.Literal('info'), Type.Literal('success'), Type.Literal('warning'), Type.Literal('error')], {
      description: 'How the toast looks. Default: info.',
    }),
  ),
});

export interface ClientBindingHandlers {
  host: PageHost;
  /** Guest `console` output. */
  console(entry: { level: string; args: unknown[] }): void;
}

/** The bindings the page declares in its handshake, served by what the page shows. */
export function clientBindings({ host, console }: ClientBindingHandlers): Binding[] {
  return [
    standard('console', ConsoleEntry, (entry) => {
      console(entry);
      return null;
    }),
    defineBinding({
      name: 'confirm',
      description: 'Asks the person at the playground a yes/no question; resolves with their answer.',
      input: ConfirmParams,
      output: Type.Boolean(),
      effects: ['external'],
      handler: ({ message, title }, context) => host.confirm(message, title, context.signal),
    }),
    defineBinding({
      name: 'notify',
      description: 'Shows a short message as a toast in the playground.',
      input: NotifyParams,
      output: Type.Null(),
      effects: ['external'],
      handler: ({ message, level }) => {
        host.notify(message, level ?? 'info');
        return null;
      },
    }),
    standard('html_panel.show', HtmlPanelShowParams, ({ id, label, contents }) => {
      const problem = host.showPanel(id, label, contents);
      if (problem) throw new InvalidParamsError(problem);
      return null;
    }),
    standard('html_panel.clear', HtmlPanelIdParams, ({ id }) => {
      host.clearPanel(id);
      return null;
    }),
    standard('html_panel.get', HtmlPanelIdParams, ({ id }) => host.panelContents(id)),
    standard('file_comment.show', FileCommentShowParams, (comment) => {
      host.showComment(comment);
      return null;
    }),
  ];
}

/** A standard binding with the name, description, effects and output the protocol package gives it. */
function standard<TInput extends TSchema>(
  name: StandardClientBindingName,
  input: TInput,
  handler: (args: Static<TInput>) => unknown,
): Binding {
  const meta = STANDARD_CLIENT_BINDINGS[name];
  return defineBinding({
    name,
    description: meta.description,
    input,
    output: meta.output as unknown as TSchema,
    effects: [...(meta.effects ?? [])],
    handler: (args) => handler(args) as never,
  });
}
