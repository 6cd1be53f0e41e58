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
