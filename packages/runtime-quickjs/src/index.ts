export { QuickJsRuntimeFactory, createQuickJsRuntimeFactory } from './factory.js';
export type { QuickJsRuntimeFactoryOptions } from './factory.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { Clock } from './budget.js';
export type { InstanceStats } from './inlineSessions.js';
