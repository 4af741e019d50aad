import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
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

/** The encodings the build wrote beside each text asset (studio/build/plugins.ts), best first. */
const ENCODINGS: [token: string, suffix: string][] = [['br', '.br'], ['gzip', '.gz']];

/** The codings a request accepts, from its Accept-Encoding (a coding with q=0 is refused). */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q !== undefined && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

/**
 * Serves the built UI; unknown paths get index.html so that the UI's own routes load. A file the build
 * precompressed goes out as brotli or gzip when the browser accepts it; hashed files under assets/ are
 * cached for a year, index.html is revalidated by its ETag.
 */
export async function serveStatic(uiDir: string, urlPath: string, res: ServerResponse, headers: IncomingHttpHeaders = {}): Promise<void> {
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
  const immutable = file.includes(`${sep}assets${sep}`);
  const info = await stat(file);
  const etag = `W/"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  const common = {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if ((headers['if-none-match'] ?? '').split(',').some((t) => t.trim() === etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const accepted = acceptedEncodings(headers['accept-encoding']);
  const coding = ENCODINGS.find(([token, suffix]) => accepted.has(token) && existsSync(file + suffix));
  const body = await readFile(coding ? file + coding[1] : file);
  res.writeHead(200, { ...common, ...(coding ? { 'content-encoding': coding[0] } : {}), 'content-length': body.length });
  res.end(body);
}
