import type { PageHost } from '../host.js';
import { useStore } from '../store.js';

/** Confirm dialogs guest code is waiting on, and toasts from `notify`. */
export function Overlays({ host }: { host: PageHost }) {
  useStore(host);
  const request = host.confirms[0];
  return (
    <>
      {request && (
        <div class="backdrop">
          <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
            <h2 id="confirm-title">{request.title ?? 'Guest code asks'}</h2>
            <p>{request.message}</p>
            <div class="dialog-actions">
              <button type="button" onClick={() => request.answer(false)}>
                No
              </button>
              <button type="button" class="primary" onClick={() => request.answer(true)} autofocus>
                Yes
              </button>
            </div>
          </div>
        </div>
      )}
      <div class="toasts" aria-live="polite">
        {host.toasts.map((toast) => (
          <div key={toast.id} class={`toast toast-${toast.level}`} role="status" onClick={() => host.dismiss(toast.id)}>
            {toast.message}
          </div>
        ))}
      </div>
    </>
  );
}
