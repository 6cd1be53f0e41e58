import { describe, expect, it } from 'vitest';
import { chromePath, NO_BROWSER_MESSAGE } from './support/browser.js';

describe('finding a browser for the browser tests', () => {
  it('fails, saying how to get one, when there is none', () => {
    expect(() => chromePath({ PATH: '/nonexistent' })).toThrow(NO_BROWSER_MESSAGE);
    expect(NO_BROWSER_MESSAGE).toContain('apt-get install -y chromium');
    expect(NO_BROWSER_MESSAGE).toContain('CHROME_PATH');
  });

  it('takes CHROME_PATH first, and refuses one that is not an executable', () => {
    expect(chromePath({ CHROME_PATH: process.execPath, PATH: '/nonexistent' })).toBe(process.execPath);
    expect(() => chromePath({ CHROME_PATH: '/nonexistent/chrome' })).toThrow(/CHROME_PATH is not an executable file/);
  });
});
