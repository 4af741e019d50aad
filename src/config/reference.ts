import type { z } from 'zod';
import { configSchema } from './schema.js';
import { unwrap } from './schema-walk.js';
import { valueKinds } from './types.js';

type Node = z.ZodType & { description?: string; def?: { type?: string; shape?: Record<string, Node>; valueType?: Node; options?: Node[]; entries?: Record<string, string> } };

/** The key reference of docs/configuration.md, as a Markdown table generated from the schema. */
export function configReference(): string {
  const rows: string[] = ['| key | type | meaning |', '|---|---|---|'];
  const walk = (node: Node, path: string, description: string | undefined) => {
    const n = unwrap(node) as Node;
    const type = n.def?.type;
    const desc = (node.description ?? n.description ?? description ?? '').replace(/\|/g, '\\|');
    if (path) rows.push(`| \`${path}\` | ${typeName(n)} | ${desc} |`);
    if (type === 'object') for (const [k, v] of Object.entries(n.def?.shape ?? {})) walk(v, path ? `${path}.${k}` : k, undefined);
    else if (type === 'record') walk(n.def!.valueType!, `${path}.<name>`, undefined);
  };
  walk(configSchema as Node, '', undefined);
  return rows.join('\n') + '\n';
}

function typeName(n: Node): string {
  const kind = valueKinds.get(n);
  if (kind) return kind;
  switch (n.def?.type) {
    case 'object':
      return 'section';
    case 'record':
      return 'map';
    case 'enum':
      return Object.values(n.def.entries ?? {}).map((v) => `\`${v}\``).join(' \\| ');
    case 'union':
      return (n.def.options ?? []).map((o) => typeName(unwrap(o) as Node)).join(' or ');
    case 'number':
      return 'number';
    default:
      return n.def?.type ?? 'value';
  }
}
