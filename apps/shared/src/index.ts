// The loader lives in @scomp/mcp so that scomp-mcp, a published command, can load bindings too.
export { loadBindings, loadModuleBindings, bindingsOf, isBinding } from '@scomp/mcp';
