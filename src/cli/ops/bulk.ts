import cliProgress from 'cli-progress';
import type { LoomClient } from '../../admin/client.js';
import type { AdminFilter, BulkAction, BulkResult } from '../../admin/types.js';
import { LoomError } from '../../core/errors.js';

/** Flags of a bulk action. */
export interface BulkFlags {
  dryRun?: boolean;
  yes?: boolean;
  reason?: string;
}

/**
 * Runs a bulk action the way an operator wants it: a count first (all that
 * `--dry-run` does; without `--yes` it stops there too), then the action with a
 * progress bar on stderr, then a summary. SIGINT stops between items; running
 * the same command again finishes the rest.
 */
export async function runBulkCommand(client: LoomClient, action: BulkAction, filter: AdminFilter, flags: BulkFlags, out: (l: string) => void): Promise<BulkResult> {
  const preview = await client.bulk(action, filter, { dryRun: true });
  if (flags.dryRun || !flags.yes) {
    out(`${preview.total} invocation(s) match; ${flags.dryRun ? 'dry run, nothing changed' : `rerun with --yes to ${action} them`}`);
    return preview;
  }
  const bar = new cliProgress.SingleBar(
    { format: `${action} [{bar}] {value}/{total} ok {ok} skipped {skipped} failed {failed}`, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 1000, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(preview.total, 0, { ok: 0, skipped: 0, failed: 0 });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = await client.bulk(action, filter, {
      signal: stop.signal,
      ...(flags.reason ? { reason: flags.reason } : {}),
      onProgress: (p) => bar.update(p.done, { ok: p.succeeded, skipped: p.skipped, failed: p.failed }),
    });
    bar.stop();
    out(`${action}: ${result.succeeded} done, ${result.skipped} skipped (already changed), ${result.failed} failed${result.interrupted ? ' — interrupted; run the same command again to finish' : ''}`);
    for (const e of result.errors) out(`  ${e.id}: ${e.code} ${e.message}`);
    if (result.failed > 0) throw new LoomError('LOOM_BULK_FAILED', `${result.failed} of ${result.total} failed (listed above)`);
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    bar.stop();
  }
}
