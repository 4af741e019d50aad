import { ConfigError } from '../core/errors.js';
import { addKnownSecret } from '../core/redact.js';
import type { SecretProvider, SecretReference, SecretSource } from '../ports/secrets.js';
import { EnvSecretProvider } from './env-provider.js';
import { FileSecretProvider } from './file-provider.js';
import { KeyVaultSecretProvider, type KeyVaultProviderOptions } from './vault-provider.js';
import { parseSecretReference } from './reference.js';
import { SecretUnavailableError } from './errors.js';
import { SecretCache } from './cache.js';

/** Options of {@link SecretResolver}. */
export interface SecretResolverOptions {
  /** Providers by scheme, replacing the defaults (env, file, Azure Key Vault). */
  providers?: SecretProvider[];
  /** Options of the default Key Vault provider. */
  vault?: KeyVaultProviderOptions;
  /** A value younger than this is used without asking the provider, ms. Default 300000 (5 min). */
  ttlMs?: number;
  /**
   * While the provider fails, a value younger than this is still served, ms.
   * Past it the attempt fails with SecretUnavailableError. Default 3600000 (1 h).
   */
  maxAgeMs?: number;
  /** How often values in use are refreshed in the background, ms. Default: `ttlMs`. */
  refreshIntervalMs?: number;
  /** Clock, ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * Resolves secret references through their providers, with a cache: a fresh
 * value is returned at once; a stale one is returned while a refresh runs in the
 * background (so a rotation is picked up without a restart); while the provider
 * fails, the last good value serves until `maxAgeMs`, then the attempt fails with
 * a retryable {@link SecretUnavailableError}. Values stay in memory only, and each
 * is added to the redaction list that keeps it out of Loom's messages.
 */
export class SecretResolver implements SecretSource {
  private readonly providers = new Map<string, SecretProvider>();
  private readonly cache: SecretCache;
  private readonly parsed = new Map<string, SecretReference>();

  constructor(options: SecretResolverOptions = {}) {
    const providers = options.providers ?? [new EnvSecretProvider(), new FileSecretProvider(), new KeyVaultSecretProvider(options.vault)];
    for (const p of providers) this.providers.set(p.scheme, p);
    const ttlMs = options.ttlMs ?? 300_000;
    const maxAgeMs = options.maxAgeMs ?? 3_600_000;
    if (!(ttlMs > 0) || !(maxAgeMs >= ttlMs)) throw new ConfigError(`SecretResolver: ttlMs must be > 0 and maxAgeMs >= ttlMs, got ttlMs ${ttlMs}, maxAgeMs ${maxAgeMs}`);
    this.cache = new SecretCache({
      ttlMs,
      maxAgeMs,
      refreshIntervalMs: options.refreshIntervalMs ?? ttlMs,
      now: options.now ?? Date.now,
      fetch: (raw) => this.fetch(raw),
    });
  }

  /** Throws a ConfigError for a malformed reference or a scheme without a provider. */
  check(refs: Readonly<Record<string, string>>, where: string): void {
    for (const [name, raw] of Object.entries(refs)) this.reference(raw, `${where}.${name}`);
  }

  /** The values of `refs` by name; synchronous when all are cached and fresh. */
  resolve(refs: Readonly<Record<string, string>>): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
    const out: Record<string, string> = {};
    let pending: Promise<void>[] | undefined;
    for (const [name, raw] of Object.entries(refs)) {
      const got = this.cache.get(raw);
      if (typeof got === 'string') out[name] = got;
      else (pending ??= []).push(got.then((v) => void (out[name] = v)));
    }
    return pending ? Promise.all(pending).then(() => out) : out;
  }

  /** One reference's value. */
  async get(raw: string): Promise<string> {
    this.reference(raw, 'secret reference');
    return this.cache.get(raw);
  }

  /** Stops the background refresh and closes the providers. */
  async close(): Promise<void> {
    this.cache.close();
    for (const p of this.providers.values()) await p.close?.();
  }

  private reference(raw: string, where: string): SecretReference {
    let ref = this.parsed.get(raw);
    if (!ref) {
      ref = parseSecretReference(raw, where);
      const provider = this.providers.get(ref.scheme);
      if (!provider) {
        throw new ConfigError(`${where} "${raw}" uses ${ref.scheme}://, for which this resolver has no provider (it has ${[...this.providers.keys()].join(', ')})`, {
          code: 'LOOM_SECRET_REFERENCE',
        });
      }
      provider.check?.(ref);
      this.parsed.set(raw, ref);
    }
    return ref;
  }

  private async fetch(raw: string): Promise<string> {
    const ref = this.reference(raw, 'secret reference');
    let value: string;
    try {
      value = await this.providers.get(ref.scheme)!.get(ref);
    } catch (err) {
      throw new SecretUnavailableError(raw, `secret ${raw} is unavailable: ${(err as Error).message ?? String(err)}`, { cause: err });
    }
    addKnownSecret(value);
    return value;
  }
}
