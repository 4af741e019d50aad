import { Option } from 'commander';
import { LoomError } from '../../core/errors.js';

/** How a command prints: a table for people, JSON or JSON lines for scripts. */
export type OutputFormat = 'table' | 'json' | 'jsonl';

/** The `-o` option every listing command takes. */
export function outputOption(): Option {
  return new Option('-o, --output <format>', 'table for people, json or jsonl for scripts').choices(['table', 'json', 'jsonl']).default('table');
}

/** Prints rows as an aligned table (`columns` names the fields shown), or the raw items as JSON / JSON lines. */
export function print<T>(format: OutputFormat, items: T[], columns: [header: string, cell: (item: T) => string][], out: (line: string) => void = console.log): void {
  if (format === 'json') return out(JSON.stringify(items, null, 2));
  if (format === 'jsonl') {
    for (const item of items) out(JSON.stringify(item));
    return;
  }
  if (items.length === 0) return out('(none)');
  const rows = items.map((item) => columns.map(([, cell]) => cell(item)));
  const widths = columns.map(([h], i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  out(line(columns.map(([h]) => h)));
  for (const r of rows) out(line(r));
}

/** Parses a JSON flag, naming the flag and showing an example on bad input. */
export function jsonFlag(flag: string, text: string, example: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new LoomError('LOOM_CLI', `${flag} takes JSON, e.g. ${example}; could not parse ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

/** `Type/id` → [type, id], with a clear message otherwise. */
export function actorRef(ref: string): [string, string] {
  const cut = ref.indexOf('/');
  if (cut <= 0 || cut === ref.length - 1) throw new LoomError('LOOM_CLI', `"${ref}" is not an actor reference; write it as Type/id, e.g. PaymentProcessor/p-1`);
  return [ref.slice(0, cut), ref.slice(cut + 1)];
}
