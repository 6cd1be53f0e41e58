import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inProcessBackend, serveCodeModeHttp } from '../src/index.js';
import { demoBindings } from '../src/demo.js';

const require = createRequire(import.meta.url);
const manifest = require.resolve('@modelcontextprotocol/conformance/package.json');
const conformance = join(dirname(manifest), (require(manifest) as { bin: { conformance: string } }).bin.conformance);
const baseline = fileURLToPath(new URL('./fixtures/conformanceBaseline.yml', import.meta.url));

describe('the official MCP conformance suite', () => {
  it('passes every server scenario that applies to code mode, DNS-rebinding protection included', async () => {
    await using backend = inProcessBackend({ bindings: demoBindings() });
    await using http = await serveCodeModeHttp({ backend, port: 0 });
    const output = await mkdtemp(join(tmpdir(), 'scomp-mcp-conformance-'));
    try {
      let stdout: string;
      let exitCode = 0;
      try {
        ({ stdout } = await promisify(execFile)(
          process.execPath,
          [conformance, 'server', '--url', http.url, '--expected-failures', baseline, '--output-dir', output],
          // A liveness bound for a loaded machine, not a timing goal.
          { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
        ));
      } catch (error) {
        // The runner exits 1 for an unexpected failure or a stale baseline entry: its output says which.
        const failed = error as { code?: unknown; stdout?: string };
        if (typeof failed.code !== 'number') throw error;
        exitCode = failed.code;
        stdout = failed.stdout ?? '';
      }
      const passed = ['server-initialize', 'logging-set-level', 'ping', 'tools-list', 'tools-call-error', 'server-sse-multiple-streams', 'dns-rebinding-protection'];
      for (const scenario of passed) expect(stdout).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
      expect(exitCode, stdout.slice(-3000)).toBe(0);
    } finally {
      await rm(output, { recursive: true, force: true });
    }
  }, 300_000);
});
