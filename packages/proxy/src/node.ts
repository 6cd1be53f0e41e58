export { CHAIN_ENV, ChainConfigError, loadChain, parseChain } from './node/chainConfig.js';
export type { ChainEntry } from './node/chainConfig.js';
export { chainDownstream, webSocketDownstream } from './node/downstreams.js';
export { serveComponent } from './node/serve.js';
export type { ServeComponentOptions, ServedComponent } from './node/serve.js';
export { proxyMain } from './node/main.js';
export { PROXY_HELP } from './node/cli.js';
export type { ProxyMainIo } from './node/main.js';
