import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Actor, InvocationFailedError } from '../../src/index.js';
import { SecretResolver, resolveActorSecrets, parseSecretReference, EnvSecretProvider, FileSecretProvider } from '../../src/secrets/index.js';
import { memoryRuntime, tempDir, fastRetry } from '../support/runtime.js';

class Mailer extends Actor {
  static secrets = { apiKey: 'env://LOOM_TEST_MAILER_KEY' };
  async keyLength() {
    return this.secrets.apiKey!.length;
  }
  async misspelt() {
    return this.secrets.apiKye;
  }
  async printed() {
    const { inspect } = await import('node:util');
    return [JSON.stringify(this.secrets), inspect(this.secrets), Object.keys(this.secrets).join()];
  }
}

describe('secrets in actors', { timeout: 30_000 }, () => {
  it('resolves static secrets before each attempt: this.secrets.<name> in a handler', async (t) => {
    process.env.LOOM_TEST_MAILER_KEY = 'mailer-key-123';
    t.after(() => delete process.env.LOOM_TEST_MAILER_KEY);
    const rt = await memoryRuntime();
    t.after(() => rt.stop());
    rt.register(Mailer);
    assert.equal(await rt.call({ actorType: 'Mailer', actorId: 'm1', method: 'keyLength' }), 'mailer-key-123'.length);
  });

  it('prints and serializes this.secrets as names only', async (t) => {
    process.env.LOOM_TEST_MAILER_KEY = 'mailer-key-123';
    t.after(() => delete process.env.LOOM_TEST_MAILER_KEY);
    const rt = await memoryRuntime();
    t.after(() => rt.stop());
    rt.register(Mailer);
    const [json, inspected, keys] = await rt.call<string[]>({ actorType: 'Mailer', actorId: 'm1', method: 'printed' });
    assert.equal(json, '{"apiKey":"[secret]"}');
    assert.match(inspected!, /apiKey: '\[secret\]'/);
    assert.equal(keys, 'apiKey');
  });

  it('names the declared secrets when a handler reads one that is not', async (t) => {
    process.env.LOOM_TEST_MAILER_KEY = 'mailer-key-123';
    t.after(() => delete process.env.LOOM_TEST_MAILER_KEY);
    const rt = await memoryRuntime();
    t.after(() => rt.stop());
    rt.register(Mailer, { retryPolicy: { maxAttempts: 1 } });
    await assert.rejects(rt.call({ actorType: 'Mailer', actorId: 'm1', method: 'misspelt' }), /Mailer has no secret "apiKye" \(its secrets: apiKey\)/);
  });

  it('fails the attempt with a retryable error while a secret is unavailable, and succeeds on a retry once it is back', async (t) => {
    delete process.env.LOOM_TEST_MAILER_KEY;
    const events: { outcome: string; code?: string }[] = [];
    const rt = await memoryRuntime({
      onAttempt: (e) => {
        events.push({ outcome: e.outcome, ...(e.error?.code ? { code: e.error.code } : {}) });
        process.env.LOOM_TEST_MAILER_KEY = 'back-again';
      },
    });
    t.after(() => rt.stop());
    t.after(() => delete process.env.LOOM_TEST_MAILER_KEY);
    rt.register(Mailer, { retryPolicy: fastRetry });
    assert.equal(await rt.call({ actorType: 'Mailer', actorId: 'm2', method: 'keyLength' }), 'back-again'.length);
    assert.deepEqual(events, [{ outcome: 'retry', code: 'LOOM_SECRET_UNAVAILABLE' }, { outcome: 'completed' }]);
  });

  it('dead-letters with LOOM_SECRET_UNAVAILABLE when the secret never comes', async (t) => {
    delete process.env.LOOM_TEST_MAILER_KEY;
    const rt = await memoryRuntime();
    t.after(() => rt.stop());
    rt.register(Mailer, { retryPolicy: fastRetry });
    await assert.rejects(rt.call({ actorType: 'Mailer', actorId: 'm3', method: 'keyLength' }), (err: unknown) => {
      assert.ok(err instanceof InvocationFailedError);
      assert.equal(err.info.code, 'LOOM_SECRET_UNAVAILABLE');
      assert.match(err.info.message, /secret env:\/\/LOOM_TEST_MAILER_KEY is unavailable: environment variable LOOM_TEST_MAILER_KEY is not set/);
      return true;
    });
  });

  it('takes secrets from register config, and rejects a malformed reference at register', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const file = join(tmp.dir, 'token');
    writeFileSync(file, 'file-token-xyz\n');
    class Reader extends Actor {
      async read() {
        return this.secrets.token;
      }
    }
    const rt = await memoryRuntime();
    t.after(() => rt.stop());
    rt.register(Reader, { secrets: { token: `file://${file}` } });
    assert.equal(await rt.call({ actorType: 'Reader', actorId: 'r', method: 'read' }), 'file-token-xyz', 'one trailing newline is dropped');
    assert.throws(() => rt.register(class Bad extends Actor { async x() {} }, { secrets: { k: 'vault://x' } }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LOOM_SECRET_REFERENCE');
      assert.match(err.message, /Bad\.secrets\.k "vault:\/\/x" needs a vault name and a secret name; write vault:\/\/<vault>\/<name>/);
      return true;
    });
  });

  it("resolves the seed's new MyActor(context, state, tracer, { secrets }) with resolveActorSecrets", async (t) => {
    process.env.LOOM_TEST_SEED_KEY = 'seed-style-key';
    t.after(() => delete process.env.LOOM_TEST_SEED_KEY);
    class MyActor extends Actor {}
    const actor = new MyActor({}, {}, {}, { secrets: { apiKey: 'env://LOOM_TEST_SEED_KEY' } });
    assert.throws(() => actor.secrets, /not resolved yet: await resolveActorSecrets\(actor\)/);
    await resolveActorSecrets(actor);
    assert.equal(actor.secrets.apiKey, 'seed-style-key');
  });
});

describe('SecretResolver', { timeout: 30_000 }, () => {
  it('parses the three reference forms and rejects others with the expected forms', () => {
    assert.deepEqual(parseSecretReference('vault://my-vault/api-key'), { raw: 'vault://my-vault/api-key', scheme: 'vault', vault: 'my-vault', name: 'api-key' });
    assert.equal(parseSecretReference('vault://my-vault/api-key/0123abcd').version, '0123abcd');
    assert.equal(parseSecretReference('env://API_KEY').name, 'API_KEY');
    assert.equal(parseSecretReference('file:///run/secrets/api%20key').name, '/run/secrets/api key');
    for (const bad of ['vault://my-vault', 'vault://a/b', 'env://1X', 'file://relative/path', 'https://x/y', 'vault://my-vault/a/b/c']) {
      assert.throws(() => parseSecretReference(bad), /write vault:\/\/<vault>\/<name>\[\/<version>\], env:\/\/NAME or file:\/\/\/absolute\/path/, bad);
    }
  });

  it('answers from the cache synchronously while fresh, refreshes in the background, and picks up a rotated file', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const file = join(tmp.dir, 'key');
    writeFileSync(file, 'one');
    const resolver = new SecretResolver({ providers: [new FileSecretProvider()], ttlMs: 50, maxAgeMs: 60_000, refreshIntervalMs: 20 });
    t.after(() => resolver.close());
    const ref = { k: `file://${file}` };
    assert.ok(resolver.resolve(ref) instanceof Promise, 'the first read goes to the provider');
    assert.deepEqual(await resolver.resolve(ref), { k: 'one' });
    assert.deepEqual(resolver.resolve(ref), { k: 'one' }, 'then the cache answers at once');
    writeFileSync(file, 'two');
    for (let i = 0; i < 300; i++) {
      const v = resolver.resolve(ref);
      if (!(v instanceof Promise) && v.k === 'two') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(resolver.resolve(ref), { k: 'two' }, 'the background refresh picked up the rotation');
  });

  it('serves the last good value through an outage until its max age, then fails', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const file = join(tmp.dir, 'key');
    writeFileSync(file, 'good-value');
    let now = 0;
    const resolver = new SecretResolver({ providers: [new FileSecretProvider(), new EnvSecretProvider({})], ttlMs: 100, maxAgeMs: 1000, now: () => now });
    t.after(() => resolver.close());
    assert.equal(await resolver.get(`file://${file}`), 'good-value');
    rmSync(file);
    now = 500;
    assert.equal(await resolver.get(`file://${file}`), 'good-value');
    now = 1500;
    await assert.rejects(resolver.get(`file://${file}`), /does not exist \(is the secret mounted\?\); the last good value is older than its max age of 1000 ms/);
    await assert.rejects(resolver.get('env://NOT_SET_ANYWHERE'), /environment variable NOT_SET_ANYWHERE is not set/);
    assert.throws(() => new SecretResolver({ providers: [new EnvSecretProvider()] }).check({ a: 'vault://v-1/x' }, 'T.secrets'), /uses vault:\/\/, for which this resolver has no provider \(it has env\)/);
  });
});
