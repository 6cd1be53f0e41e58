import { describe, expect, it } from 'vitest';
import { BindingMeta, STANDARD_CLIENT_BINDINGS, compileSchema } from '../src/index.js';

describe('standard client bindings', () => {
  it('are valid binding metadata under their own names', () => {
    const check = compileSchema(BindingMeta);
    for (const [name, meta] of Object.entries(STANDARD_CLIENT_BINDINGS)) {
      expect(meta.name).toBe(name);
      expect(check.issues(meta)).toEqual([]);
    }
  });

  it('accept the shapes of the structured log, HTML panels and file comments, and refuse wrong types', () => {
    const log = compileSchema(STANDARD_CLIENT_BINDINGS.log.input);
    expect(log.issues({ level: 'info', message: 'started', data: { step: 1 } })).toEqual([]);
    expect(log.issues({ level: 'verbose', message: 'x' })).not.toEqual([]);
    const show = compileSchema(STANDARD_CLIENT_BINDINGS['html_panel.show'].input);
    expect(show.issues({ id: 'p1', label: 'Walkthrough', contents: '<b>hi</b>' })).toEqual([]);
    expect(show.issues({ id: 'p1' })).toEqual([]);
    expect(show.issues({ label: 'no id' })).not.toEqual([]);
    const comment = compileSchema(STANDARD_CLIENT_BINDINGS['file_comment.show'].input);
    expect(comment.issues({ id: 'c1', url: 'file:///a.ts', start: { line: 3 }, can_reply: false })).toEqual([]);
    expect(comment.issues({ id: 'c1', url: 'file:///a.ts', start: { line: 0 }, can_reply: false })).not.toEqual([]);
  });
});
