import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The built playground page (`@scomp/app-playground`'s `dist`), shipped with the server. */
export function playgroundRoot(): string {
  const manifest = createRequire(import.meta.url).resolve('@scomp/app-playground/package.json');
  return join(dirname(manifest), 'dist');
}

/**
 * Serves the playground's static files: `/` is the page, `/assets/…` its scripts and styles.
 * Only GET and HEAD; paths cannot leave `root`.
 */
export function servePlayground(root: string = playgroundRoot()): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void answer(root, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error\n');
    });
  };
}

async function answer(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const file = resolveFile(root, request.url ?? '/');
  if (file === undefined) return notFound(response);
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    if (file === join(root, 'index.html')) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('the playground is not built: run "pnpm build"\n');
      return;
    }
    return notFound(response);
  }
  const hashed = file.startsWith(join(root, 'assets') + sep);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    // Asset names carry a content hash; the page itself must be fetched fresh after an upgrade.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function resolveFile(root: string, url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  return file.startsWith(root + sep) ? file : undefined;
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
}
