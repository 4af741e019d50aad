/**
 * Secrets (`loom/secrets`): references `vault://<vault>/<name>[/<version>]`
 * (Azure Key Vault), `env://NAME` and `file:///path`, resolved in memory when a
 * handler needs them, cached and refreshed, and kept out of Loom's messages.
 */
export { SecretResolver, type SecretResolverOptions } from './resolver.js';
export { SecretUnavailableError } from './errors.js';
export { EnvSecretProvider } from './env-provider.js';
export { FileSecretProvider } from './file-provider.js';
export { KeyVaultSecretProvider, type KeyVaultProviderOptions, type TokenCredential } from './vault-provider.js';
export { parseSecretReference, isSecretReference } from './reference.js';
export { resolveActorSecrets } from './actor-secrets.js';
export { redactingLogger } from './redaction.js';
export { redact, REDACTED } from '../core/redact.js';
export type { SecretProvider, SecretReference, SecretSource } from '../ports/secrets.js';
