import { readFileSync } from 'node:fs';

/** The seed README's loom.config.yaml, verbatim: read from the repo's copy of the seed, so tests cannot drift from it. */
export const SEED_YAML: string = (() => {
  const seed = readFileSync(new URL('../seed/LOOM-README.md', import.meta.url), 'utf8');
  const block = /```yaml\n(# loom\.config\.yaml\n.*?)```/s.exec(seed);
  if (!block) throw new Error('test/seed/LOOM-README.md has no ```yaml block starting with # loom.config.yaml');
  return block[1]!;
})();
