import { ConfigError } from '../core/errors.js';
import type { SecretReference } from '../ports/secrets.js';

const REF = /^(vault|env|file):\/\//;
const VAULT_NAME = /^[a-zA-Z0-9-]{3,24}$/;
const SECRET_NAME = /^[a-zA-Z0-9-]{1,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `value` is written as a secret reference (`vault://`, `env://`, `file://`). */
export function isSecretReference(value: unknown): value is string {
  return typeof value === 'string' && REF.test(value);
}

/**
 * Parses `vault://<vault>/<name>[/<version>]`, `env://NAME` or `file:///absolute/path`.
 * Throws a ConfigError (code `LOOM_SECRET_REFERENCE`) that shows the expected form.
 */
export function parseSecretReference(raw: string, where = 'secret reference'): SecretReference {
  const bad = (why: string): never => {
    throw new ConfigError(
      `${where} "${raw}" ${why}; write vault://<vault>/<name>[/<version>], env://NAME or file:///absolute/path`,
      { code: 'LOOM_SECRET_REFERENCE' },
    );
  };
  if (typeof raw !== 'string') return bad('is not a string');
  const m = REF.exec(raw);
  if (!m) return bad('is not a secret reference');
  const rest = raw.slice(m[0].length);
  switch (m[1]) {
    case 'vault': {
      const parts = rest.split('/');
      const [vault, name, version] = parts;
      if (parts.length < 2 || parts.length > 3 || !vault || !name) return bad('needs a vault name and a secret name');
      if (!VAULT_NAME.test(vault)) return bad(`names vault "${vault}", which is not a Key Vault name (3-24 letters, digits and -)`);
      if (!SECRET_NAME.test(name)) return bad(`names secret "${name}", which is not a Key Vault secret name (letters, digits and -)`);
      if (parts.length === 3 && !/^[a-zA-Z0-9]+$/.test(version ?? '')) return bad('has an empty or malformed version');
      return version ? { raw, scheme: 'vault', vault, name, version } : { raw, scheme: 'vault', vault, name };
    }
    case 'env':
      if (!ENV_NAME.test(rest)) return bad('does not name an environment variable');
      return { raw, scheme: 'env', name: rest };
    default:
      if (!rest.startsWith('/') || rest.length < 2) return bad('needs an absolute path (three slashes: file:///run/secrets/api-key)');
      return { raw, scheme: 'file', name: decodeURIComponent(rest) };
  }
}
