import type { PageHost } from '../host.js';
import { useStore } from '../store.js';

/** HTML panels (each in a sandboxed iframe: no access to the page, its storage or the session) and file comments. */
export function PanelsPane({ host }: { host: PageHost }) {
  useStore(host);
  if (host.panels.length === 0 && host.comments.length === 0) {
    return <p class="muted">Guest code shows HTML here with html_panel.show, and file comments with file_comment.show.</p>;
  }
  return (
    <div class="panels">
      {host.panels.map((panel) => (
        <section key={panel.id} class="html-panel" data-panel={panel.id}>
          <header>
            <strong>{panel.label}</strong> <span class="muted">{panel.id}</span>
            <button type="button" class="small" onClick={() => host.clearPanel(panel.id)}>
              close
            </button>
          </header>
          <iframe title={panel.label} sandbox="allow-scripts" srcdoc={panel.contents} referrerpolicy="no-referrer" />
        </section>
      ))}
      {host.comments.length > 0 && (
        <section class="comments">
          <h3>File comments</h3>
          <ul>
            {host.comments.map((comment) => (
              <li key={comment.id} data-comment={comment.id}>
                <code>
                  {comment.url}:{comment.start.line}
                  {comment.end ? `–${comment.end.line}` : ''}
                </code>{' '}
                {comment.body ?? <span class="muted">(no text)</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
