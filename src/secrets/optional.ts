import { ConfigError } from '../core/errors.js';

/**
 * Imports an optional peer dependency, or fails with a ConfigError (code
 * `LOOM_MISSING_DRIVER`) that says which packages to install.
 */
export async function importOptional<T>(load: () => Promise<T>, packages: string[], forWhat: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = (err as Error).message ?? '';
    const missing = packages.filter((p) => message.includes(`'${p}'`) || message.includes(`"${p}"`));
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && missing.length > 0) {
      throw new ConfigError(`${forWhat} needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed: npm install ${missing.join(' ')}`, {
        code: 'LOOM_MISSING_DRIVER',
        cause: err,
      });
    }
    throw err;
  }
}
