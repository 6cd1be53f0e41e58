export { QuickJsRuntimeFactory, createQuickJsRuntimeFactory } from './factory.js';
export type { QuickJsRuntimeFactoryOptions } from './factory.js';
export { QuickJsRuntime } from './session.js';
export { DEFAULT_LIMITS } from './limits.js';
export { rewriteDeclarations } from './rewrite.js';
export type { Clock } from './budget.js';
