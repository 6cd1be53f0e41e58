import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evalError } from '../src/errorsMap.js';
import { PRELUDE_SCRIPT, PRELUDE_SOURCE } from '../src/preludeSource.js';

describe('the guest prelude', () => {
  it('is the checked JavaScript file of the package, also beside the build output the worker threads run', () => {
    const source = readFileSync(new URL('../src/prelude.js', import.meta.url), 'utf8');
    expect(source.startsWith('// @ts-check\n')).toBe(true);
    expect(PRELUDE_SOURCE).toBe(source);
    expect(readFileSync(new URL('../dist/prelude.js', import.meta.url), 'utf8')).toBe(source);
  });

  it('has its frames dropped from error stacks by the name it runs under, not by a file name', () => {
    const error = evalError({
      name: 'Error',
      message: 'x',
      stack: ['    at f (<eval>:2:5)', `    at fn (${PRELUDE_SCRIPT}:280:20)`, '    at g (prelude.js:1:1)', '    at <eval> (<eval>:3:1)'].join('\n'),
    });
    // A frame merely named like the prelude's file is the code's own and stays.
    expect(error.detail.stack).toBe(['    at f (<eval>:2:5)', '    at g (prelude.js:1:1)', '    at <eval> (<eval>:3:1)'].join('\n'));
  });
});
