/**
 * The AssemblyScript compiler runs in a worker thread of its own: loading it and
 * compiling take seconds of CPU that must not stall the actors on the main thread.
 * Plain JavaScript, evaluated as the worker's source, so it runs the same under
 * node and under TypeScript loaders.
 */
export const COMPILE_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { readFile } = require('node:fs/promises');
const { resolve } = require('node:path');
const { ascUrl, jobs, entryName, glue } = workerData;
const compileOne = async (asc, { args, dir, entry }) => {
const texts = new Map([[entryName, entry]]);
const diagnostics = [];
let binary = null;
const locate = (range) => {
  const path = range.source.normalizedPath;
  const text = range.source.text ?? texts.get(path) ?? '';
  const before = text.slice(0, range.start);
  return {
    file: path.startsWith('~lib/') || path === entryName ? path : resolve(dir, path),
    line: before.split('\n').length,
    column: range.start - before.lastIndexOf('\n'),
  };
};
  const result = await asc.main(args, {
    readFile: async (name, baseDir) => {
      if (name === entryName) return entry;
      if (/(^|\/)(node_modules\/loom|~lib\/loom)\/(index|assembly\/index)\.ts$/.test(name)) return glue;
      if (name.endsWith('asconfig.json')) return null;
      try {
        const text = await readFile(resolve(dir, baseDir, name), 'utf8');
        texts.set(name, text);
        return text;
      } catch {
        return null;
      }
    },
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
    listFiles: () => [],
    reportDiagnostic: (d) => {
      if (d.category !== 3) return;
      const at = d.range ? locate(d.range) : { file: entryName, line: 0, column: 0 };
      diagnostics.push({ ...at, message: 'AS' + d.code + ': ' + d.message });
    },
  });
  return { binary, diagnostics, error: result.error ? String(result.error.message) : null };
};
import(ascUrl).then(async ({ default: asc }) => {
  const out = [];
  for (const job of jobs) out.push(await compileOne(asc, job));
  parentPort.postMessage(out);
}, (err) => parentPort.postMessage(jobs.map(() => ({ binary: null, diagnostics: [], error: 'cannot load the AssemblyScript compiler: ' + err.message }))));
`;
