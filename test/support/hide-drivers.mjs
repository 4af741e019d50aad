// A module hook that makes the optional drivers look uninstalled: `node --import
// ./test/support/hide-drivers.mjs` fails to resolve ioredis and bullmq the way a
// missing package does (ERR_MODULE_NOT_FOUND).
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
const hidden = new Set(['ioredis', 'bullmq']);
export async function resolve(specifier, context, next) {
  if (hidden.has(specifier)) {
    const err = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}
`));
