import type { SecretProvider, SecretReference } from '../ports/secrets.js';

/** `env://NAME`: the value of an environment variable, read each time it is resolved. */
export class EnvSecretProvider implements SecretProvider {
  readonly scheme = 'env' as const;
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get(ref: SecretReference): Promise<string> {
    const value = this.env[ref.name];
    if (value === undefined || value === '') {
      return Promise.reject(new Error(`environment variable ${ref.name} is not set (or empty); set it in the worker's environment`));
    }
    return Promise.resolve(value);
  }
}
