import { useState } from 'preact/hooks';
import { clientBindings } from './clientBindings.js';
import { ConsoleLog } from './consoleLog.js';
import { History } from './history.js';
import { PageHost } from './host.js';
import { BindingsPane } from './panes/BindingsPane.js';
import { ConsolePane } from './panes/ConsolePane.js';
import { PanelsPane } from './panes/PanelsPane.js';
import { SessionPane } from './panes/SessionPane.js';
import { TimelinePane } from './panes/TimelinePane.js';
import { Session } from './session.js';
import { useStore } from './store.js';
import { Overlays } from './ui/Overlays.js';

/** The page's long-lived parts, made once. */
export function createPlayground() {
  const host = new PageHost();
  const log = new ConsoleLog();
  const session = new Session(clientBindings({ host, console: (entry) => log.print(entry) }));
  return { host, log, session, history: new History() };
}

export type Playground = ReturnType<typeof createPlayground>;

/** The server that served the page, or the one named in `?url=`. */
export function defaultServerUrl(location: Location): string {
  const fromQuery = new URLSearchParams(location.search).get('url');
  if (fromQuery) return fromQuery;
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;
}

export function App({ playground, initialUrl }: { playground: Playground; initialUrl: string }) {
  const { host, log, session, history } = playground;
  useStore(session);
  const [url, setUrl] = useState(initialUrl);
  const [token, setToken] = useState('');
  const connect = (event: Event) => {
    event.preventDefault();
    void session.connect(url.trim(), token || undefined);
  };
  return (
    <div class="app">
      <header class="topbar">
        <h1>
          scomp <span>playground</span>
        </h1>
        <form class="connect" onSubmit={connect}>
          <input aria-label="server URL" value={url} onInput={(event) => setUrl(event.currentTarget.value)} size={32} />
          <input aria-label="token" type="password" autocomplete="off" placeholder="token (optional)" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
          <button type="submit" class="primary">
            {session.client ? 'Reconnect' : 'Connect'}
          </button>
        </form>
        <span class={`state state-${session.status}`} data-testid="status">
          {session.status}
        </span>
        {session.error && (
          <span class="error-text" data-testid="connect-error">
            {session.error}
          </span>
        )}
      </header>
      <main class="grid">
        <section class="pane pane-bindings" aria-label="Bindings">
          <h2>Bindings</h2>
          <BindingsPane client={session.client} log={log} />
        </section>
        <section class="pane pane-console" aria-label="Console">
          <h2>Console</h2>
          <ConsolePane client={session.client} log={log} history={history} />
        </section>
        <section class="pane pane-timeline" aria-label="Timeline">
          <h2>Timeline</h2>
          <TimelinePane session={session} />
        </section>
        <section class="pane pane-side" aria-label="Session">
          <h2>Session</h2>
          <SessionPane session={session} />
          <h2>Panels</h2>
          <PanelsPane host={host} />
        </section>
      </main>
      <Overlays host={host} />
    </div>
  );
}
