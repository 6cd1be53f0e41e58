export { confirmer, type Confirmer } from './confirmer.js';
export { createMemoryTransportPair } from './memoryTransport.js';
export { transportConformance, type TransportConformanceOptions, type TransportPair } from './transportConformance.js';
export {
  runtimeConformance,
  testBinding,
  type RuntimeCapabilities,
  type RuntimeConformanceOptions,
  type TestBindingHandler,
} from './runtimeConformance.js';
export { FakeRuntime, createFakeRuntimeFactory, toJsonValue, FAKE_RUNTIME_CAPABILITIES } from './fakeRuntime.js';
