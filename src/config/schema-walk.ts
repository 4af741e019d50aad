import type { z } from 'zod';

type Node = z.ZodType & { def?: { type?: string; innerType?: Node; shape?: Record<string, Node>; valueType?: Node; options?: Node[] } };

/** Strips optional/default/nullable wrappers. */
export function unwrap(node: Node): Node {
  let n = node;
  while (n.def?.innerType && ['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(n.def.type ?? '')) n = n.def.innerType;
  return n;
}

/** The schema node at `path` (record keys match any name), or undefined. */
export function schemaAt(root: z.ZodType, path: readonly (string | number)[]): Node | undefined {
  let n: Node | undefined = unwrap(root as Node);
  for (const seg of path) {
    if (!n) return undefined;
    if (n.def?.type === 'object') n = n.def.shape?.[String(seg)];
    else if (n.def?.type === 'record') n = n.def.valueType;
    else return undefined;
    n = n ? unwrap(n) : undefined;
  }
  return n;
}

/** Keys of the object schema at `path`; empty when it is not an object. */
export function keysAt(root: z.ZodType, path: readonly (string | number)[]): string[] {
  const n = schemaAt(root, path);
  return n?.def?.type === 'object' ? Object.keys(n.def.shape ?? {}) : [];
}

/** The kind of leaf at `path`: 'number', 'boolean', 'string', 'enum', 'union', 'object', 'record' or undefined. */
export function kindAt(root: z.ZodType, path: readonly (string | number)[]): string | undefined {
  return schemaAt(root, path)?.def?.type;
}
