import type { WaitReason } from '../api/client.js';

/** A status badge, with the reason an unfinished invocation is not running. */
export function Status({ status, reason }: { status: string; reason?: WaitReason }) {
  const kind = status === 'pending' && reason ? reason.kind : status;
  return <span className={`badge badge-${kind}`} title={reason?.text}>{status === 'pending' && reason ? reason.kind : status}</span>;
}
