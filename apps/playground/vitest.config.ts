import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../config/vitest.base.ts';

export default mergeConfig(base, defineConfig({ test: { typecheck: { enabled: false } } }));
