import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Worker threads run the package's build output (a thread cannot load TypeScript sources), so a
 * test run first rebuilds it when any source is newer: tests never exercise stale worker code.
 */
export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  if (newest(join(root, 'src')) <= newest(join(root, 'dist'))) return;
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'copyPrelude.mjs')], { stdio: 'inherit' });
}

function newest(dir: string): number {
  let latest = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return 0;
  }
  for (const entry of entries) latest = Math.max(latest, statSync(join(dir, entry)).mtimeMs);
  return latest;
}
