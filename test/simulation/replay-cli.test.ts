import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation } from '../../src/testing/index.js';
import { Checkout } from './cli-actors.js';

it('loom replay exits 0 on unchanged code and 1 with the divergence on changed code', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-replay-cli-'));
  try {
    const sim = await createSimulation({ seed: 3, actors: [Checkout] });
    try {
      const { invocationId } = await sim.send({ actorType: 'Checkout', actorId: 'c1', method: 'run' });
      await sim.runUntilIdle();
      writeFileSync(join(dir, 'checkout.json'), JSON.stringify({ invocation: await sim.store.getInvocation(invocationId), journal: await sim.store.loadJournal(invocationId) }));
    } finally {
      await sim.dispose();
    }
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', dir, '--actors', 'test/simulation/cli-actors.ts'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    const same = run({});
    assert.equal(same.status, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /ok {8}checkout\.json {2}3 entries/);
    assert.match(same.stdout, /1 recordings, 0 diverged/);
    const changed = run({ LOOM_TEST_MUTATE: '1' });
    assert.equal(changed.status, 1, changed.stdout + changed.stderr);
    assert.match(changed.stdout, /DIVERGED {2}checkout\.json: Checkout\/c1\.run .* diverges at journal entry 1: recorded step "reserve", the code now asks for step "reserve-v2" at .*cli-actors\.ts:\d+:\d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
