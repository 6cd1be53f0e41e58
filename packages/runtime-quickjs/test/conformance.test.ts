import { runtimeConformance } from '@scomp/peer/testing';
import { afterAll, describe, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';

describe('runIn: worker', () => {
  const factory = createQuickJsRuntimeFactory();
  afterAll(() => factory.close());
  runtimeConformance({ describe, it, createFactory: () => factory });
});

describe('runIn: main', () => {
  const factory = createQuickJsRuntimeFactory({ runIn: 'main' });
  // On the thread that receives the cancel, a loop that never yields ends only at its time limit.
  runtimeConformance({ describe, it, createFactory: () => factory, capabilities: { cancelsBusyCode: false } });
});
