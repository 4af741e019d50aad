/**
 * How Studio sends its UI: the build's precompressed files by Accept-Encoding, a year's cache for hashed
 * assets, index.html revalidated by ETag, and the built index.html painting without a second request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { acceptedEncodings, serveStatic } from '../../src/studio/static.js';
import { requireBuiltUi } from './browser.js';

/** A raw GET (fetch would decode the body and hide the encoding). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('Studio static files', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const js = 'console.log("studio");\n'.repeat(100);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loom-studio-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), js);
    writeFileSync(join(dir, 'assets', 'index-abc.js.br'), brotliCompressSync(js));
    writeFileSync(join(dir, 'assets', 'index-abc.js.gz'), gzipSync(js));
    writeFileSync(join(dir, 'assets', 'small-abc.js'), 'export {};');
    server = createServer((req, res) => void serveStatic(dir, new URL(req.url ?? '/', 'http://x').pathname, res, req.headers));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads Accept-Encoding, leaving out a coding with q=0', () => {
    assert.deepEqual([...acceptedEncodings('gzip, deflate, br, zstd')], ['gzip', 'deflate', 'br', 'zstd']);
    assert.deepEqual([...acceptedEncodings('br;q=0, gzip;q=0.5')], ['gzip']);
    assert.deepEqual([...acceptedEncodings(undefined)], []);
  });

  it('sends brotli when accepted, else gzip, else the file itself, and caches hashed assets for a year', async () => {
    const br = await get(`${base}/assets/index-abc.js`, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString(), js);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(br.headers.vary, 'accept-encoding');
    assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8');
    const gz = await get(`${base}/assets/index-abc.js`, { 'accept-encoding': 'gzip, br;q=0' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), js);
    const plain = await get(`${base}/assets/index-abc.js`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), js);
    // A file the build did not compress (under 1 KB) goes as it is.
    const small = await get(`${base}/assets/small-abc.js`, { 'accept-encoding': 'br, gzip' });
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.body.toString(), 'export {};');
  });

  it('revalidates index.html by its ETag, and answers the UI\'s routes with it', async () => {
    const first = await get(`${base}/`);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = first.headers.etag as string;
    assert.ok(etag, 'index.html has an ETag');
    const again = await get(`${base}/`, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const route = await get(`${base}/invocations/some-id`);
    assert.equal(route.body.toString(), '<!doctype html><title>t</title>');
  });

  it('the built UI inlines its stylesheet, splits the views off the first chunk and ships each script precompressed', () => {
    requireBuiltUi();
    const ui = join(process.cwd(), 'studio', 'dist');
    const html = readFileSync(join(ui, 'index.html'), 'utf8');
    assert.doesNotMatch(html, /rel="stylesheet"/);
    assert.match(html, /<style>/);
    assert.match(html, /class="brand">Loom Studio</, 'the shell paints before the bundle runs');
    const scripts = readdirSync(join(ui, 'assets')).filter((f) => f.endsWith('.js'));
    assert.ok(scripts.some((f) => f.startsWith('ActorView-')), 'the actor view is its own chunk');
    for (const f of scripts) {
      if (readFileSync(join(ui, 'assets', f)).length < 1024) continue;
      assert.ok(existsSync(join(ui, 'assets', `${f}.br`)) && existsSync(join(ui, 'assets', `${f}.gz`)), `${f} is precompressed`);
    }
  });
});
