// Build steps of the Studio UI beyond Vite's own: the first page paints from index.html alone,
// and the server sends every asset compressed without compressing it per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Puts the entry stylesheet (a few KB) into index.html, so the first paint waits for no second request. */
export function inlineEntryCss(): Plugin {
  return {
    name: 'loom-inline-entry-css',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return html;
        for (const [name, out] of Object.entries(bundle)) {
          if (out.type !== 'asset' || !name.endsWith('.css')) continue;
          const link = html.match(new RegExp(`<link rel="stylesheet"[^>]*href="[^"]*${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[^>]*>`));
          if (!link) continue;
          html = html.replace(link[0], () => `<style>${String(out.source)}</style>`);
          delete bundle[name];
        }
        return html;
      },
    },
  };
}

const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

/** Writes `<file>.br` and `<file>.gz` beside every text asset over 1 KB; src/studio/static.ts serves them. */
export function precompress(): Plugin {
  return {
    name: 'loom-precompress',
    apply: 'build',
    writeBundle(options) {
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) { walk(path); continue; }
          if (!COMPRESSIBLE.test(name)) continue;
          const raw = readFileSync(path);
          if (raw.length < 1024) continue;
          writeFileSync(`${path}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
          writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
        }
      };
      if (options.dir) walk(options.dir);
    },
  };
}
