import type { EncodedTraceBatch, TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { checkTraceQuery, decodeGroup, encodeTraceEvents, flattenGroups } from '../../observability/trace-groups.js';
import { packGroups } from '../../observability/trace-bytes.js';
import { packedGroups } from '../../observability/trace-unpack.js';
import { isLowerHexUuid, rootInvocationOf, rootTraceId } from '../../observability/scope.js';
import type { RedisConnection } from './connection.js';

/**
 * Trace events in Redis, one hash field per flush holding all its groups,
 * written by one script (scripts/traces.ts, which describes the keys) that
 * also applies the TTL and the cap. Reads find the flushes of an id in an
 * index of ids and decode only that id's groups in them.
 */
export class RedisTraces implements TraceStore {
  constructor(private readonly conn: RedisConnection) {}

  appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    return this.appendEncoded(packGroups(encodeTraceEvents(events)), bounds);
  }

  /** The batch's packed bytes are the hash field, as they are. */
  async appendEncoded(batch: EncodedTraceBatch, bounds: TraceBounds): Promise<void> {
    const groups = batch.size;
    if (groups === 0) return;
    // One index field per trace and per invocation of the flush: several invocations of a trace share one.
    // A root's trace id is its invocation id's digits (rootTraceId): its invocation's field finds it by
    // trace id too (readTraces), so it gets no field of its own, and its trace id is never made here.
    const fields = new Set<string>();
    for (let g = 0; g < groups; g++) {
      const inv = batch.invocationId(g);
      if (inv !== '') fields.add('i' + inv);
      const trace = batch.recordedTrace(g);
      if (trace) fields.add('t' + trace);
      else if (!isLowerHexUuid(inv)) fields.add('t' + rootTraceId(inv));
    }
    const { packed } = batch;
    const args = [
      String(Date.now()),
      String(bounds.ttlMs),
      String(bounds.maxEvents),
      String(batch.count),
      Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength),
      // One JSON argument, not one each: with a Buffer among them, ioredis copies every argument into a Buffer of its own.
      JSON.stringify([...fields]),
    ];
    await this.conn.run('writing trace events', () => this.conn.script('appendTraces', ...args));
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    // A trace's root is indexed by its invocation id, which its trace id tells (see appendEncoded).
    const root = q.traceId !== undefined ? rootInvocationOf(q.traceId) : undefined;
    const fields = q.traceId !== undefined ? ['t' + q.traceId, ...(root ? ['i' + root] : [])] : ['i' + q.invocationId!];
    return this.conn.run('reading trace events', async () => {
      const flushes = (await this.conn.script('readTraces', String(Date.now()), ...fields)) as string[];
      const groups: TraceEvent[][] = [];
      for (const f of flushes) for (const g of packedGroups(f, q)) groups.push(decodeGroup(g));
      return flattenGroups(groups, q, limit);
    });
  }
}
