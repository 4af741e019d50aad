import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Where the built UI lives: `studio/dist` at the package root, beside `dist/` and `src/`. */
export function defaultUiDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'studio', 'dist');
}

/** Serves the built UI; unknown paths get index.html so that the UI's own routes load. */
export async function serveStatic(uiDir: string, urlPath: string, res: ServerResponse): Promise<void> {
  const root = resolve(uiDir);
  if (!existsSync(join(root, 'index.html'))) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`The Studio UI is not built in ${root}. Run \`npm run build\` in the loom package.\n`);
    return;
  }
  const rel = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  let file = resolve(root, rel);
  if (file !== root && !file.startsWith(root + sep)) file = join(root, 'index.html');
  if (!extname(file) || !existsSync(file)) file = join(root, 'index.html');
  const body = await readFile(file);
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}
