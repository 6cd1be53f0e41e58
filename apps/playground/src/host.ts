import type { FileCommentShowParams } from '@scomp/protocol';
import { Store } from './store.js';

export interface ConfirmRequest {
  readonly id: number;
  readonly message: string;
  readonly title: string | undefined;
  answer(value: boolean): void;
}

export type NotifyLevel = 'info' | 'success' | 'warning' | 'error';

export interface Toast {
  readonly id: number;
  readonly message: string;
  readonly level: NotifyLevel;
}

export interface HtmlPanel {
  readonly id: string;
  label: string;
  contents: string;
}

/** How long a toast stays up. */
const TOAST_MS = 6000;

/**
 * What guest code can make the page show through the client bindings: confirm dialogs, toasts,
 * HTML panels and file comments. The bindings change it; the views render it.
 */
export class PageHost extends Store {
  confirms: ConfirmRequest[] = [];
  toasts: Toast[] = [];
  panels: HtmlPanel[] = [];
  comments: FileCommentShowParams[] = [];
  private nextId = 1;

  /** Asks the user; resolves with their answer, or false when the caller gives up (`signal`). */
  confirm(message: string, title: string | undefined, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      const settle = (value: boolean) => {
        signal.removeEventListener('abort', onAbort);
        this.confirms = this.confirms.filter((request) => request.id !== id);
        this.changed();
        resolve(value);
      };
      const onAbort = () => settle(false);
      if (signal.aborted) return resolve(false);
      signal.addEventListener('abort', onAbort);
      this.confirms = [...this.confirms, { id, message, title, answer: settle }];
      this.changed();
    });
  }

  notify(message: string, level: NotifyLevel): void {
    const id = this.nextId++;
    this.toasts = [...this.toasts, { id, message, level }];
    this.changed();
    setTimeout(() => this.dismiss(id), TOAST_MS);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((toast) => toast.id !== id);
    this.changed();
  }

  /** Shows a panel or updates one (bringing it to the front). Returns an error text for a bad call. */
  showPanel(id: string, label: string | undefined, contents: string | undefined): string | undefined {
    const existing = this.panels.find((panel) => panel.id === id);
    if (!existing) {
      if (label === undefined || contents === undefined) return `a new panel needs both label and contents (no panel "${id}")`;
      this.panels = [{ id, label, contents }, ...this.panels];
    } else {
      const updated = { id, label: label ?? existing.label, contents: contents ?? existing.contents };
      this.panels = [updated, ...this.panels.filter((panel) => panel !== existing)];
    }
    this.changed();
    return undefined;
  }

  clearPanel(id: string): void {
    this.panels = this.panels.filter((panel) => panel.id !== id);
    this.changed();
  }

  panelContents(id: string): string | null {
    return this.panels.find((panel) => panel.id === id)?.contents ?? null;
  }

  showComment(comment: FileCommentShowParams): void {
    this.comments = [...this.comments.filter((existing) => existing.id !== comment.id), comment];
    this.changed();
  }
}
