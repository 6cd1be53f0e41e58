export { createComponent } from './component.js';
export type { Component } from './component.js';
export type {
  BindingMapper,
  ComponentOptions,
  DownstreamSource,
  EvalCall,
  InterceptContext,
  Interceptor,
  InvokeCall,
} from './options.js';
export { upstreamOf } from './upstream.js';
export type { Upstream } from './upstream.js';
export { audit } from './components/audit.js';
export type { AuditOptions, AuditRecord } from './components/audit.js';
export { approval } from './components/approval.js';
export type { ApprovalOptions } from './components/approval.js';
export { scope } from './components/scope.js';
export type { ScopeOptions } from './components/scope.js';
export type { ComponentDefinition } from './components/definition.js';
