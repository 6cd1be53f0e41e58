export { loadBindings, bindingsOf, isBinding } from './loadBindings.js';
