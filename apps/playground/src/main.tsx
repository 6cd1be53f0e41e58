import { render } from 'preact';
import { App, createPlayground, defaultServerUrl } from './app.js';
import './styles.css';

const playground = createPlayground();
const initialUrl = defaultServerUrl(window.location);
render(<App playground={playground} initialUrl={initialUrl} />, document.getElementById('app')!);
void playground.session.connect(initialUrl);
