// The ABI, checked the same way on the AssemblyScript and the C calculator, plus
// what the host refuses at load and what compileWasmActor reports.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmActorRuntime, WasmError, WasmCompileError, compileWasmActor, composeWasmActors } from '../../src/wasm/index.js';
import { EXAMPLES, OWN_MEMORY, ensureBuilt, example, fixture } from './modules.js';

const failsWith = (kind: string, pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof WasmError, `expected a WasmError, got ${String(err)}`);
  assert.equal(err.kind, kind);
  assert.match(err.message, pattern);
  return true;
};

for (const [language, name] of [['AssemblyScript', 'calculator-actor'], ['C', 'calculator-c']] as const) {
  describe(`the ${language} calculator speaks the ABI`, { timeout: 180_000 }, () => {
    let rt: WasmActorRuntime;
    before(async () => {
      await ensureBuilt();
      rt = new WasmActorRuntime(example(name));
    });

    test('JSON in, JSON out, as in the README', async () => {
      assert.deepEqual(await rt.execute('add', { a: 5, b: 3 }), { result: 8 });
      assert.deepEqual(await rt.execute('multiply', { a: -2.5, b: 4 }), { result: -10 });
      assert.deepEqual(await rt.execute('divide', { a: 3, b: 4 }), { result: 0.75 });
    });

    test('exports its methods, and the host lists them', () => {
      for (const m of ['add', 'multiply', 'divide']) assert.ok(rt.methods.includes(m), `${m} in ${rt.methods.join(',')}`);
      assert.ok(!rt.methods.includes('loom_alloc'));
    });

    test('a guest-reported error fails the call as a trap carrying its message', async () => {
      await assert.rejects(rt.execute('divide', { a: 1, b: 0 }), failsWith('trap', /division by zero/));
    });

    test('the same answers in-thread as on the pool', async () => {
      const local = new WasmActorRuntime(example(name), {}, { inThread: true });
      assert.deepEqual(await local.execute('add', { a: 40, b: 2 }), await rt.execute('add', { a: 40, b: 2 }));
    });

    test('an unknown method is refused, naming the exports', async () => {
      await assert.rejects(rt.execute('sqrt', { a: 1 }), failsWith('bad_module', /no method "sqrt".*add/));
    });
  });
}

describe('the host refuses at load', { timeout: 180_000 }, () => {
  before(ensureBuilt);

  test('a module that defines its own memory', () => {
    assert.throws(() => new WasmActorRuntime(OWN_MEMORY), failsWith('bad_module', /defines its own memory.*--importMemory/));
  });

  test('an import the host does not grant, by name', () => {
    assert.throws(() => new WasmActorRuntime(fixture('undeclared')), failsWith('bad_module', /wasi_snapshot_preview1\.fd_write/));
  });

  test('loom.call when no host functions are granted', () => {
    assert.throws(() => new WasmActorRuntime(fixture('host-calls')), failsWith('bad_module', /loom\.call.*hostFunctions/));
  });

  test('bytes that are not WebAssembly', () => {
    assert.throws(() => new WasmActorRuntime(Buffer.from('not wasm')), failsWith('bad_module', /not a valid WebAssembly module/));
  });

  test('a module needing more memory than its limit', () => {
    assert.throws(() => new WasmActorRuntime(example('calculator-c'), { memoryBytes: 65_536 }), failsWith('resource_limit', /pages of memory at start/));
  });

  test('unknown or out-of-range limits', () => {
    assert.throws(() => new WasmActorRuntime(example('calculator-c'), { timeoutMs: -1 }), /timeoutMs must be a number/);
    assert.throws(() => new WasmActorRuntime(example('calculator-c'), { memory: 1 } as never), /unknown limit "memory"/);
  });
});

describe('composeWasmActors', { timeout: 180_000 }, () => {
  before(ensureBuilt);

  test('pipes each stage output into the next, as in the README', async () => {
    const loanEngine = await composeWasmActors(['credit-scorer', 'risk-analyzer', 'rate-calculator'].map((n) => join(EXAMPLES, `${n}.wasm`)));
    const decision = await loanEngine.execute('evaluateLoan', { income: 120_000, debt: 5_000, creditHistoryYears: 12, amount: 300_000 });
    assert.deepEqual(decision, { approved: true, creditScore: 790, risk: 'low', rate: 5.5 });
    const risky = await loanEngine.execute('evaluateLoan', { income: 20_000, debt: 90_000, creditHistoryYears: 1, amount: 400_000 });
    assert.deepEqual(risky, { approved: false, creditScore: 355, risk: 'high' });
  });

  test('names a path it cannot read', async () => {
    await assert.rejects(composeWasmActors(['nope.wasm']), /cannot read WebAssembly module nope\.wasm/);
  });
});

describe('compileWasmActor', { timeout: 180_000 }, () => {
  test('reports compile errors with file, line and message', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-asc-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'broken-actor.ts');
    writeFileSync(file, 'export function add(input: string): string {\n  const n: i32 = "five";\n  return input;\n}\n');
    const err = await compileWasmActor(file).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WasmCompileError, String(err));
    assert.equal(err.code, 'LOOM_WASM_COMPILE');
    assert.equal(err.diagnostics[0]?.file, file);
    assert.equal(err.diagnostics[0]?.line, 2);
    assert.match(err.diagnostics[0]!.message, /not assignable to type 'i32'/);
    assert.match(err.message, /broken-actor\.ts:2:\d+: AS2322/);
  });
});
