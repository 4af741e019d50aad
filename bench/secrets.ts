// What secrets cost on the hot path: a cached resolve before an attempt, and the
// redaction of an error message. Run: node --import tsx bench/secrets.ts
import { SecretResolver, EnvSecretProvider } from '../src/secrets/index.js';
import { addKnownSecret, redact } from '../src/core/redact.js';

function time(label: string, n: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`${label.padEnd(58)} ${ns.toFixed(0).padStart(7)} ns/op`);
}

const env = { KEY_A: 'a'.repeat(32), KEY_B: 'b'.repeat(40) };
const resolver = new SecretResolver({ providers: [new EnvSecretProvider(env)] });
const refs = { a: 'env://KEY_A', b: 'env://KEY_B' };
await resolver.resolve(refs);
time('resolve 2 cached secrets (before each attempt)', 1_000_000, () => resolver.resolve(refs));
const message = 'PSP declined order 1234 for customer 5678: card expired (code 51) at https://psp.example/charge';
time('redact a 100-char error message, no secret known', 1_000_000, () => redact(message));
addKnownSecret(env.KEY_A);
addKnownSecret(env.KEY_B);
time('redact a 100-char error message, 2 secrets known', 1_000_000, () => redact(message));
for (let i = 0; i < 98; i++) addKnownSecret(`secret-value-${i}-${'x'.repeat(20)}`);
time('redact a 100-char error message, 100 secrets known', 200_000, () => redact(message));
await resolver.close();
