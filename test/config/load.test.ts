import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, describeConfig, ConfigValidationError, effectiveConfig } from '../../src/config/index.js';
import { tempDir } from '../support/runtime.js';
import { SEED_YAML } from '../support/seed-config.js';


async function withFile(name: string, text: string, body: (path: string) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, name);
    writeFileSync(path, text);
    await body(path);
  } finally {
    tmp.cleanup();
  }
}

async function problemsOf(source: string | object, env: NodeJS.ProcessEnv = {}): Promise<ConfigValidationError> {
  try {
    await loadConfig(source, { env });
  } catch (err) {
    assert.ok(err instanceof ConfigValidationError, String(err));
    assert.equal(err.code, 'LOOM_CONFIG_INVALID');
    return err;
  }
  assert.fail('the configuration was accepted');
}

describe('loadConfig', { timeout: 20_000 }, () => {
  it("reads the seed README's YAML as written: Redis store, the payment-processor settings, observability", async () => {
    await withFile('loom.config.yaml', SEED_YAML, async (path) => {
      const config = await loadConfig(path, { env: {} });
      assert.deepEqual(config.redis, { host: 'localhost', port: 6379 });
      assert.deepEqual(config.actors?.['payment-processor'], { timeout: 30000, idempotencyTtl: 86400, retryPolicy: { maxAttempts: 3, backoff: 'exponential' } });
      assert.deepEqual(config.observability, { enabled: true, port: 9090 });
      const eff = effectiveConfig(config);
      assert.equal(eff.store, 'redis');
      assert.equal(eff.transport, 'redis-pubsub');
    });
  });

  it('lists every problem at once, each with its path, what was expected and a did-you-mean for misspelt keys', async () => {
    const yaml = `redis:
  hots: localhost
actors:
  payment-processor:
    timeout: 30 sec
    retryPolicy:
      maxAttempts: 0
      backof: fixed
      backoff: expo
runtime:
  partitions: many
observabilty:
  enabled: true
`;
    await withFile('loom.config.yaml', yaml, async (path) => {
      const err = await problemsOf(path);
      const byPath = new Map(err.problems.map((p) => [p.path, p]));
      assert.equal(err.problems.length, 7, err.message);
      assert.equal(byPath.get('redis.hots')?.didYouMean, 'host');
      assert.match(byPath.get('redis.hots')!.message, /unknown key; redis takes url, host, port/);
      assert.match(byPath.get('actors.payment-processor.timeout')!.message, /expected a duration.*'30s'.*got "30 sec"/);
      assert.match(byPath.get('actors.payment-processor.retryPolicy.maxAttempts')!.message, />=1, got 0/);
      assert.equal(byPath.get('actors.payment-processor.retryPolicy.backof')?.didYouMean, 'backoff');
      assert.match(byPath.get('actors.payment-processor.retryPolicy.backoff')!.message, /expected one of "fixed", "exponential", got "expo"/);
      assert.match(byPath.get('runtime.partitions')!.message, /expected number, got "many"/);
      assert.equal(byPath.get('observabilty')?.didYouMean, 'observability');
      assert.match(err.message, /loom\.config\.yaml has 7 problems/);
      assert.match(err.message, /- actors\.payment-processor\.retryPolicy\.backof: unknown key.*\(did you mean "backoff"\?\)/);
    });
  });

  it('names a section of the wrong type, a top level that is not a mapping, and a bad vault URL', async () => {
    let err = await problemsOf({ redis: 5, secrets: { vaults: { 'my-vault': 'not a url' } }, runtime: { maxPayloadSize: '2 gigs' } });
    const byPath = new Map(err.problems.map((p) => [p.path, p.message]));
    assert.equal(byPath.get('redis'), 'expected a mapping of keys, got 5');
    assert.match(byPath.get('secrets.vaults.my-vault')!, /expected the vault URL, e\.g\. https:\/\/my-vault\.vault\.azure\.net, got "not a url"/);
    assert.match(byPath.get('runtime.maxPayloadSize')!, /expected a size: a number of bytes, or a string like '512kb', '1mb', got "2 gigs"/);
    await withFile('list.yaml', '- redis\n- postgres\n', async (path) => {
      err = await problemsOf(path);
      assert.equal(err.problems[0]?.message, 'expected a mapping of keys at the top level, got a list');
    });
  });

  it('suggests the closest value of an enum', async () => {
    const err = await problemsOf({ store: 'postgress' });
    assert.equal(err.problems[0]?.path, 'store');
    assert.equal(err.problems[0]?.didYouMean, 'postgres');
  });

  it('interpolates ${VAR} and ${VAR:-default}, typing a value that is one expression alone', async () => {
    const yaml = 'redis:\n  host: ${REDIS_HOST}\n  port: ${REDIS_PORT:-6380}\n  prefix: "app-${ENV:-dev}:"\nsqlite:\n  path: "$${literal}"\nstore: redis\n';
    await withFile('c.yaml', yaml, async (path) => {
      await assert.rejects(loadConfig(path, { env: { REDIS_HOST: 'cache' } }), /sqlite: is given but not used: store is redis/);
    });
    await withFile('c.yaml', yaml.replace('sqlite:\n  path: "$${literal}"\n', () => 'rabbitmq:\n  prefix: "$${literal}"\ntransport: rabbitmq\n'), async (path) => {
      const config = await loadConfig(path, { env: { REDIS_HOST: 'cache', ENV: 'prod' } });
      assert.deepEqual(config.redis, { host: 'cache', port: 6380, prefix: 'app-prod:' });
      assert.equal(config.rabbitmq?.prefix, '${literal}');
      const sources = new Map(describeConfig(config).map((e) => [e.path, e.source]));
      assert.equal(sources.get('redis.host'), 'c.yaml via ${REDIS_HOST}');
      assert.equal(sources.get('redis.port'), 'c.yaml via ${REDIS_PORT}');
      assert.equal(sources.get('runtime.partitions'), 'default');
    });
  });

  it('names an unset variable without a default', async () => {
    const err = await problemsOf({ redis: { host: '${REDIS_HOST}' } });
    assert.equal(err.problems[0]?.path, 'redis.host');
    assert.match(err.problems[0]!.message, /\$\{REDIS_HOST\} is not set and has no default/);
  });

  it('applies LOOM_* overrides by path, typed by the schema, and names where each value came from', async () => {
    const config = await loadConfig(
      { redis: { host: 'localhost' }, actors: { 'payment-processor': { timeout: 1000 } } },
      { env: { LOOM_REDIS_HOST: 'redis.internal', LOOM_RUNTIME_LEASE_TTL: '15s', LOOM_RUNTIME_PARTITIONS: '16', LOOM_RUNTIME_EAGER_START: 'false', LOOM_ACTORS_PAYMENT_PROCESSOR_TIMEOUT: '5000', LOOM_ACTORS_SHIPPING_CONCURRENCY: '1', LOOM_TEST_DB: '/tmp/x', LOOM_CONFIG: 'x.yaml' } },
    );
    assert.equal(config.redis?.host, 'redis.internal');
    assert.deepEqual(config.runtime, { leaseTtl: '15s', partitions: 16, eagerStart: false });
    assert.equal(config.actors?.['payment-processor']?.timeout, 5000);
    assert.equal(config.actors?.['shipping']?.concurrency, 1);
    const entries = new Map(describeConfig(config).map((e) => [e.path, e]));
    assert.equal(entries.get('redis.host')?.source, 'env LOOM_REDIS_HOST');
    assert.equal(entries.get('runtime.partitions')?.source, 'env LOOM_RUNTIME_PARTITIONS');
    assert.equal(entries.get('actors.payment-processor.timeout')?.source, 'env LOOM_ACTORS_PAYMENT_PROCESSOR_TIMEOUT');
    assert.equal(entries.get('redis.prefix')?.source, 'default');
  });

  it('rejects a LOOM_ variable that starts like a key and names none, with the likely name', async () => {
    const err = await problemsOf({ redis: {} }, { LOOM_REDIS_HOTS: 'x' });
    assert.equal(err.problems[0]?.path, 'LOOM_REDIS_HOTS');
    assert.equal(err.problems[0]?.didYouMean, 'LOOM_REDIS_HOST');
  });

  it('reads JSON files and objects through the same validation', async () => {
    await withFile('loom.config.json', JSON.stringify({ store: 'sqlite', sqlite: { path: './x.db' } }), async (path) => {
      assert.equal((await loadConfig(path, { env: {} })).sqlite?.path, './x.db');
    });
    await withFile('bad.json', '{ "store": ', async (path) => {
      const err = await problemsOf(path);
      assert.match(err.problems[0]!.message, /is not valid JSON/);
    });
    const err = await problemsOf({ runtime: { leaseTtl: -5 } });
    assert.equal(err.problems[0]?.path, 'runtime.leaseTtl');
  });

  it('reports YAML syntax errors and a missing file clearly', async () => {
    await withFile('broken.yaml', 'redis:\n  host: a\n  host: b\n', async (path) => {
      const err = await problemsOf(path);
      assert.match(err.problems[0]!.message, /YAML: .*(unique|duplicate)/i);
    });
    await assert.rejects(loadConfig('/nonexistent/loom.config.yaml'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LOOM_CONFIG');
      assert.match(err.message, /config file \/nonexistent\/loom\.config\.yaml does not exist/);
      return true;
    });
  });

  it('flags sections the chosen store and transport would ignore', async () => {
    const err = await problemsOf({ store: 'postgres', sqlite: { path: 'x' }, bullmq: {}, rabbitmq: {} });
    const paths = err.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, ['bullmq', 'rabbitmq', 'sqlite', 'transport']);
    const err2 = await problemsOf({ redis: {}, postgres: {} });
    assert.match(err2.problems[0]!.message, /both postgres and redis are configured/);
  });

  it('accepts secret references where secrets go and rejects malformed ones', async () => {
    const config = await loadConfig({ actors: { Mailer: { secrets: { apiKey: 'vault://my-vault/api-key', token: 'env://TOKEN', cert: 'file:///run/secrets/cert' } } } }, { env: {} });
    assert.equal(config.actors?.['Mailer']?.secrets?.['apiKey'], 'vault://my-vault/api-key');
    const err = await problemsOf({ actors: { Mailer: { secrets: { apiKey: 'my-plain-key' } } } });
    assert.equal(err.problems[0]?.path, 'actors.Mailer.secrets.apiKey');
    assert.match(err.problems[0]!.message, /expected a secret reference: vault:\/\//);
  });

  it('shows secrets as references and masks passwords, also inside URLs', async () => {
    const config = await loadConfig(
      { store: 'postgres', postgres: { url: 'postgres://app:hunter22@db/prod' }, redis: { password: '${REDIS_PASSWORD}' }, transport: 'redis-pubsub', actors: { M: { secrets: { apiKey: 'vault://v1/api-key' } } } },
      { env: { REDIS_PASSWORD: 's3cr3t-value' } },
    );
    const text = JSON.stringify(describeConfig(config));
    assert.ok(!text.includes('hunter22') && !text.includes('s3cr3t-value'), text);
    const entries = new Map(describeConfig(config).map((e) => [e.path, e.value]));
    assert.equal(entries.get('postgres.url'), 'postgres://app:********@db/prod');
    assert.equal(entries.get('redis.password'), '********');
    assert.equal(entries.get('actors.M.secrets.apiKey'), 'vault://v1/api-key');
  });
});
