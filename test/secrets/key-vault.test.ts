import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KeyVaultSecretProvider, SecretResolver, SecretUnavailableError, parseSecretReference } from '../../src/secrets/index.js';
import { KeyVaultServer, testCredential, vaultCertificate } from '../support/key-vault.js';
import { Actor } from '../../src/index.js';
import { createRuntimeFromConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';

describe('the Key Vault provider, against a local HTTPS server speaking the Key Vault protocol', { timeout: 60_000 }, () => {
  const server = new KeyVaultServer(vaultCertificate());
  const credential = testCredential(server);
  let provider: KeyVaultSecretProvider;
  before(async () => {
    await server.start();
    provider = new KeyVaultSecretProvider({
      credential,
      vaults: { 'my-vault': server.url('my-vault') },
      clientOptions: { agent: server.agent(), retryOptions: { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 100 } },
    });
  });
  after(() => server.close());
  const get = (ref: string) => provider.get(parseSecretReference(ref));

  it('answers the 401 challenge with a token for the scope the vault names, then reads the latest version', async () => {
    server.setSecret('api-key', 'first-value');
    server.setSecret('api-key', 'second-value');
    const before = server.requests.length;
    assert.equal(await get('vault://my-vault/api-key'), 'second-value');
    const seen = server.requests.slice(before);
    assert.equal(seen[0]?.status, 401, 'the first request goes without a token and is challenged');
    assert.equal(seen[0]?.authorized, false);
    assert.deepEqual(seen.slice(1).map((r) => [r.status, r.authorized]), [[200, true]]);
    assert.ok(credential.scopes.includes('https://vault.azure.net/.default'), String(credential.scopes));
  });

  it('reads a given version', async () => {
    const v1 = server.setSecret('pinned', 'old');
    server.setSecret('pinned', 'new');
    assert.equal(await get(`vault://my-vault/pinned/${v1}`), 'old');
    assert.equal(await get('vault://my-vault/pinned'), 'new');
  });

  it('says a missing secret does not exist (404), naming the reference', async () => {
    await assert.rejects(get('vault://my-vault/nope'), /Key Vault https:\/\/my-vault\.vault\.azure\.net:\d+: secret nope does not exist \(404\); create it or fix the reference vault:\/\/my-vault\/nope/);
  });

  it('waits out a 429 for its Retry-After, then reads the secret', async () => {
    server.setSecret('busy', 'busy-value');
    server.script.set('busy', [{ status: 429, retryAfter: 1 }]);
    const before = server.requests.length;
    assert.equal(await get('vault://my-vault/busy'), 'busy-value');
    const seen = server.requests.slice(before).filter((r) => r.path.replace(/\/$/, '') === '/secrets/busy');
    assert.deepEqual(seen.map((r) => r.status), [429, 200]);
    assert.ok(seen[1]!.at - seen[0]!.at >= 900, `retried after ${seen[1]!.at - seen[0]!.at} ms, before the Retry-After of 1 s`);
  });

  it('retries a 5xx, and reports one that lasts with its status', async () => {
    server.setSecret('flaky', 'flaky-value');
    server.script.set('flaky', [{ status: 503 }]);
    assert.equal(await get('vault://my-vault/flaky'), 'flaky-value');
    server.script.set('flaky', [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    await assert.rejects(get('vault://my-vault/flaky'), /secret flaky: HTTP 503/);
    server.script.delete('flaky');
  });

  it('explains a refusal (403) with the role to grant', async () => {
    server.setSecret('guarded', 'x');
    server.script.set('guarded', [{ status: 403 }]);
    await assert.rejects(get('vault://my-vault/guarded'), /refused \(403\); grant this identity the "Key Vault Secrets User" role/);
  });

  it('through the resolver: picks up a rotation, serves the last good value through an outage until its max age, then fails retryably', async () => {
    let now = 1_000_000;
    const resolver = new SecretResolver({ providers: [provider], ttlMs: 1000, maxAgeMs: 5000, now: () => now });
    try {
      server.setSecret('rotating', 'before-rotation');
      assert.equal(await resolver.get('vault://my-vault/rotating'), 'before-rotation');
      server.setSecret('rotating', 'after-rotation');
      now += 1500; // stale: the old value is served while a refresh runs
      assert.equal((resolver.resolve({ k: 'vault://my-vault/rotating' }) as Record<string, string>).k, 'before-rotation');
      for (let i = 0; i < 200 && (resolver.resolve({ k: 'vault://my-vault/rotating' }) as Record<string, string>).k !== 'after-rotation'; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((resolver.resolve({ k: 'vault://my-vault/rotating' }) as Record<string, string>).k, 'after-rotation');

      server.down = true;
      now += 3000; // stale, within max age: served while the refresh fails
      assert.equal(await resolver.get('vault://my-vault/rotating'), 'after-rotation');
      now += 5000; // past max age
      await assert.rejects(resolver.get('vault://my-vault/rotating'), (err: unknown) => {
        assert.ok(err instanceof SecretUnavailableError);
        assert.equal(err.code, 'LOOM_SECRET_UNAVAILABLE');
        assert.equal(err.retryable, true);
        assert.match(err.message, /secret vault:\/\/my-vault\/rotating is unavailable: .*HTTP 500.*older than its max age of 5000 ms/);
        assert.ok(!err.message.includes('after-rotation'));
        return true;
      });
      server.down = false;
      assert.equal(await resolver.get('vault://my-vault/rotating'), 'after-rotation', 'back once the vault is');
    } finally {
      await resolver.close();
    }
  });

  it('end to end: a config file names the vault URL and the actor secret, and a handler reads it as this.secrets', async (t) => {
    server.setSecret('partner-api-key', 'pk-live-from-the-vault');
    class Partner extends Actor {
      async keyPrefix() {
        return this.secrets.apiKey!.slice(0, 8);
      }
    }
    const runtime = await createRuntimeFromConfig(
      {
        store: 'memory',
        secrets: { ttl: '1m', vaults: { 'my-vault': server.url('my-vault') } },
        actors: { Partner: { secrets: { apiKey: 'vault://my-vault/partner-api-key' } } },
      },
      { actors: [Partner], logger: silentLogger, secrets: { vault: { credential, clientOptions: { agent: server.agent() } } } },
    );
    t.after(() => runtime.stop());
    const before = server.requests.filter((r) => r.path.startsWith('/secrets/partner-api-key') && r.status === 200).length;
    assert.equal(await runtime.call({ actorType: 'Partner', actorId: 'p1', method: 'keyPrefix' }), 'pk-live-');
    assert.equal(await runtime.call({ actorType: 'Partner', actorId: 'p2', method: 'keyPrefix' }), 'pk-live-');
    const fetched = server.requests.filter((r) => r.path.startsWith('/secrets/partner-api-key') && r.status === 200).length;
    assert.equal(fetched - before, 1, 'the second attempt read the cached value');
  });
});

it('a vault:// secret fails at register, naming the packages, when the Key Vault SDK is not installed', { timeout: 30_000 }, async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  // A child process in which @azure/* cannot be resolved, as if not installed.
  const hook = `data:text/javascript,${encodeURIComponent(
    "export async function resolve(s, c, next) { if (s.startsWith('@azure/')) { const e = new Error(\"Cannot find package '\" + s + \"'\"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }",
  )}`;
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
  const script =
    "const { Actor, ActorRuntime } = await import('./src/index.ts'); class Billing extends Actor { static secrets = { apiKey: 'vault://my-vault/api-key' }; async x() {} }" +
    " try { new ActorRuntime({ dbPath: ':memory:' }).register(Billing); console.log('registered'); } catch (e) { console.log(e.code + ' ' + e.message); }";
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', register, '--import', 'tsx', '--input-type=module', '-e', script]);
  assert.match(stdout, /^LOOM_MISSING_DRIVER vault:\/\/ secrets need @azure\/keyvault-secrets and @azure\/identity, which are not installed: npm install @azure\/keyvault-secrets @azure\/identity/);
});
