import { runtimeConformance } from '@scomp/peer/testing';
import { describe, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';

const factory = createQuickJsRuntimeFactory();

runtimeConformance({ describe, it, createFactory: () => factory });
