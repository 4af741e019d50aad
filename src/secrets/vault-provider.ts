import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import type { SecretProvider, SecretReference } from '../ports/secrets.js';
import { importOptional } from './optional.js';
import { ConfigError } from '../core/errors.js';

/** An Azure `TokenCredential` (declared here so that Loom's types need no Azure package). */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: object): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** Options of {@link KeyVaultSecretProvider}. */
export interface KeyVaultProviderOptions {
  /** How to authenticate. Default: `new DefaultAzureCredential()` from `@azure/identity`. */
  credential?: TokenCredential;
  /** URL of a vault by the name used in `vault://<name>/…`. Default `https://<name>.vault.azure.net`. */
  vaults?: Record<string, string>;
  /** Passed to each `SecretClient` (retry options, TLS settings for a private endpoint, …). */
  clientOptions?: Record<string, unknown>;
}

/**
 * `vault://<vault>/<name>[/<version>]`: Azure Key Vault secrets through
 * `@azure/keyvault-secrets` (an optional peer dependency, loaded on first use).
 * The SDK answers the 401 challenge, and retries 429s (after their Retry-After) and 5xx itself.
 */
export class KeyVaultSecretProvider implements SecretProvider {
  readonly scheme = 'vault' as const;
  private readonly clients = new Map<string, Promise<SecretClient>>();
  private credential: Promise<TokenCredential> | undefined;

  constructor(private readonly options: KeyVaultProviderOptions = {}) {}

  /** Fails at register, not at the first attempt, when the Key Vault SDK is not installed. */
  check(): void {
    const missing = ['@azure/keyvault-secrets', ...(this.options.credential ? [] : ['@azure/identity'])].filter((p) => !resolvable(p));
    if (missing.length > 0) {
      throw new ConfigError(`vault:// secrets need ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed: npm install ${missing.join(' ')}`, {
        code: 'LOOM_MISSING_DRIVER',
      });
    }
  }

  /** The URL a vault name stands for. */
  vaultUrl(vault: string): string {
    return this.options.vaults?.[vault] ?? `https://${vault}.vault.azure.net`;
  }

  async get(ref: SecretReference): Promise<string> {
    const url = this.vaultUrl(ref.vault!);
    const client = await this.client(url);
    let value: string | undefined;
    try {
      const secret = await client.getSecret(ref.name, ref.version ? { version: ref.version } : {});
      value = secret.value;
    } catch (err) {
      throw new Error(`Key Vault ${url}: ${describe(err, ref)}`, { cause: err });
    }
    if (value === undefined) throw new Error(`Key Vault ${url}: secret ${ref.name} has no value`);
    return value;
  }

  private client(url: string): Promise<SecretClient> {
    let client = this.clients.get(url);
    if (!client) {
      client = this.makeClient(url);
      client.catch(() => this.clients.delete(url));
      this.clients.set(url, client);
    }
    return client;
  }

  private async makeClient(url: string): Promise<SecretClient> {
    const sdk = await importOptional(() => import('@azure/keyvault-secrets'), ['@azure/keyvault-secrets'], 'a vault:// secret');
    this.credential ??= this.options.credential ? Promise.resolve(this.options.credential) : defaultCredential();
    return new sdk.SecretClient(url, (await this.credential) as never, this.options.clientOptions as SecretClientOptions | undefined);
  }
}

function resolvable(pkg: string): boolean {
  if (typeof import.meta.resolve !== 'function') return true; // cannot tell here: the first use will say
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

async function defaultCredential(): Promise<TokenCredential> {
  const identity = await importOptional(() => import('@azure/identity'), ['@azure/identity'], 'a vault:// secret (DefaultAzureCredential)');
  return new identity.DefaultAzureCredential();
}

function describe(err: unknown, ref: SecretReference): string {
  const status = (err as { statusCode?: number }).statusCode;
  const what = `secret ${ref.name}${ref.version ? ` version ${ref.version}` : ''}`;
  if (status === 404) return `${what} does not exist (404); create it or fix the reference ${ref.raw}`;
  if (status === 401 || status === 403) {
    return `access to ${what} was refused (${status}); grant this identity the "Key Vault Secrets User" role, or check its credential`;
  }
  if (status === 429) return `${what}: throttled (429) after the SDK's retries`;
  const message = (err as Error).message?.split('\n')[0] ?? String(err);
  return `${what}: ${status ? `HTTP ${status}: ` : ''}${message}`;
}
