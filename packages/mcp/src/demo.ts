// `@scomp/mcp/demo`: the demo order shop that `scomp-mcp` and `scomp-server` serve when given no
// bindings of their own. It is example data, so it stays off the main entry.
export { demoBindings, Order, OrderShop, OrderStatus } from './demoShop.js';
