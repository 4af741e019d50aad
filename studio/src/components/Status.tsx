import type { InvocationRow } from '../api/client.js';

/** A status badge: for an unfinished invocation, the reason it is not running. */
export function Status({ row }: { row: Pick<InvocationRow, 'status' | 'waiting' | 'why'> }) {
  const kind = row.status === 'pending' && row.waiting ? row.waiting.kind : row.status;
  return <span className={`badge badge-${kind}`} title={row.why}>{kind}</span>;
}
