import type { Pool } from 'pg';
import type { EncodedTraceBatch, TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { checkTraceQuery, decodeGroup, encodeTraceEvents, flattenGroups } from '../../observability/trace-groups.js';
import { packGroups } from '../../observability/trace-bytes.js';

/**
 * Trace events in PostgreSQL, one row per trace and invocation per flush, in
 * the store's schema. The table is made on first use (under an advisory lock,
 * so workers starting together do not race), not by a numbered migration: a
 * store that never keeps traces has no table for them. `upto` is the running
 * count of events written, kept in a one-row counter, so the cap is one range delete.
 */
export class PostgresTraces implements TraceStore {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly guard: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
  ) {}

  private open(): Promise<void> {
    const s = this.schema;
    this.ready ??= this.guard('creating the trace table', async () => {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`SELECT pg_advisory_xact_lock(hashtext('${s}.loom_trace_events'))`);
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await c.query(`CREATE TABLE IF NOT EXISTS ${s}.loom_trace_events (
          seq bigserial PRIMARY KEY, upto bigint NOT NULL, trace_id text NOT NULL, invocation_id text,
          expires_at bigint NOT NULL, events text NOT NULL)`);
        await c.query(`CREATE INDEX IF NOT EXISTS loom_trace_events_trace ON ${s}.loom_trace_events (trace_id)`);
        await c.query(`CREATE INDEX IF NOT EXISTS loom_trace_events_invocation ON ${s}.loom_trace_events (invocation_id)`);
        await c.query(`CREATE INDEX IF NOT EXISTS loom_trace_events_expiry ON ${s}.loom_trace_events (expires_at)`);
        await c.query(`CREATE INDEX IF NOT EXISTS loom_trace_events_upto ON ${s}.loom_trace_events (upto)`);
        await c.query(`CREATE TABLE IF NOT EXISTS ${s}.loom_trace_count (id int PRIMARY KEY, n bigint NOT NULL)`);
        await c.query(`INSERT INTO ${s}.loom_trace_count (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    });
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    return this.appendEncoded(packGroups(encodeTraceEvents(events)), bounds);
  }

  async appendEncoded(batch: EncodedTraceBatch, bounds: TraceBounds): Promise<void> {
    const groups = batch.groups();
    await this.open();
    const total = groups.reduce((n, g) => n + g[2], 0);
    const s = this.schema;
    const now = Date.now();
    // One statement: bump the counter, insert the groups with their running counts, drop what is past the bounds.
    await this.guard('writing trace events', () =>
      this.pool.query(
        `WITH c AS (UPDATE ${s}.loom_trace_count SET n = n + $1 WHERE id = 1 RETURNING n),
         g AS (SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::text[]) WITH ORDINALITY AS u(t, i, k, e, o)),
         ins AS (
           INSERT INTO ${s}.loom_trace_events (upto, trace_id, invocation_id, expires_at, events)
           SELECT c.n - $1 + sum(g.k) OVER (ORDER BY g.o), g.t, nullif(g.i, ''), $6::bigint + $7::bigint, g.e FROM g, c ORDER BY g.o
           RETURNING upto)
         DELETE FROM ${s}.loom_trace_events WHERE expires_at <= $6::bigint OR upto <= (SELECT n FROM c) - $8::bigint`,
        [total, groups.map((g) => g[0]), groups.map((g) => g[1]), groups.map((g) => g[2]), groups.map((g) => g[3]), now, bounds.ttlMs, bounds.maxEvents],
      ),
    );
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    await this.open();
    const col = q.traceId !== undefined ? 'trace_id' : 'invocation_id';
    const res = await this.guard('reading trace events', () =>
      this.pool.query<{ events: string }>(`SELECT events FROM ${this.schema}.loom_trace_events WHERE ${col} = $1 AND expires_at > $2 ORDER BY seq`, [
        q.traceId ?? q.invocationId,
        Date.now(),
      ]),
    );
    return flattenGroups(res.rows.map((r) => decodeGroup(r.events)), q, limit);
  }
}
