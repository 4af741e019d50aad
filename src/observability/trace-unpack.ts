/**
 * The encoded groups of one trace or invocation in a batch's packed bytes
 * (EncodedTraceBatch.packed, as text), in the order they were packed. Stores
 * that keep a flush as one value (SQLite's row, Redis's hash field) read with it.
 */
export function packedGroups(packed: string, q: { traceId?: string; invocationId?: string }): string[] {
  const byTrace = q.traceId !== undefined;
  const line = byTrace ? q.traceId! : JSON.stringify(q.invocationId);
  const parts = packed.split('\n');
  const out: string[] = [];
  for (let i = 1; i + 2 < parts.length; i += 3) if (parts[byTrace ? i : i + 1] === line) out.push(parts[i + 2]!);
  return out;
}
