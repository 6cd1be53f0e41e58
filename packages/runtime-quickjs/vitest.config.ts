import { mergeConfig } from 'vitest/config';
import base from '../../config/vitest.base.ts';

export default mergeConfig(base, { test: { globalSetup: ['./test/buildWorker.ts'] } });
