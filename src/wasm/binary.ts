/**
 * Just enough of the WebAssembly binary format to check a module against the ABI
 * before it runs: the limits of its imported memory and whether it defines a memory
 * of its own (which the JS API does not tell).
 */

/** What the ABI checks need from a module's binary. */
export interface BinaryFacts {
  /** Limits of the imported `env.memory`, in 64 KiB pages; undefined when it imports none. */
  importedMemory?: { min: number; max?: number; shared: boolean };
  /** Memories the module defines itself (memory section entries). */
  definedMemories: number;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Reads the facts, or throws an Error saying what is malformed. */
export function readBinaryFacts(bytes: Uint8Array): BinaryFacts {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a WebAssembly binary (bad magic number)');
  const r = new Reader(bytes, 8);
  const facts: BinaryFacts = { definedMemories: 0 };
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new Error(`section ${id} runs past the end of the binary`);
    if (id === 2) readImports(r, facts);
    else if (id === 5) facts.definedMemories = r.u32();
    r.pos = end;
  }
  return facts;
}

function readImports(r: Reader, facts: BinaryFacts): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const field = r.name();
    const kind = r.byte();
    if (kind === 0) r.u32();
    else if (kind === 1) {
      r.byte();
      r.limits();
    } else if (kind === 2) {
      const lim = r.limits();
      if (module === 'env' && field === 'memory') facts.importedMemory = lim;
    } else if (kind === 3) {
      r.byte();
      r.byte();
    } else throw new Error(`import ${module}.${field} has an unknown kind ${kind}`);
  }
}

class Reader {
  constructor(
    private readonly b: Uint8Array,
    public pos: number,
  ) {}

  byte(): number {
    const v = this.b[this.pos++];
    if (v === undefined) throw new Error('unexpected end of the binary');
    return v;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error('malformed LEB128 integer');
    }
  }

  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }

  limits(): { min: number; max?: number; shared: boolean } {
    const flags = this.byte();
    const min = this.u32();
    const out: { min: number; max?: number; shared: boolean } = { min, shared: (flags & 2) !== 0 };
    if (flags & 1) out.max = this.u32();
    return out;
  }
}
