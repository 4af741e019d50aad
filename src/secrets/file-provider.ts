import { readFile } from 'node:fs/promises';
import type { SecretProvider, SecretReference } from '../ports/secrets.js';

/**
 * `file:///path`: a file's content, e.g. a mounted Kubernetes secret. One
 * trailing newline is dropped. Re-read on each refresh, so a rotated mount is picked up.
 */
export class FileSecretProvider implements SecretProvider {
  readonly scheme = 'file' as const;

  async get(ref: SecretReference): Promise<string> {
    let text: string;
    try {
      text = await readFile(ref.name, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new Error(
        code === 'ENOENT' ? `file ${ref.name} does not exist (is the secret mounted?)` : `file ${ref.name} cannot be read (${code ?? (err as Error).message})`,
        { cause: err },
      );
    }
    return text.replace(/\r?\n$/, '');
  }
}
