// The demo shop lives in @scomp/mcp so that scomp-mcp, a published command, can serve it too.
export { demoBindings, OrderShop } from '@scomp/mcp/demo';
export type { Order } from '@scomp/mcp/demo';
