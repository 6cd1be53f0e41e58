export { createMemoryTransportPair } from './memoryTransport.js';
export { transportConformance, type TransportConformanceOptions, type TransportPair } from './transportConformance.js';
