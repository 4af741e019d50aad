import type { EncodedTraceBatch, TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { checkTraceQuery, decodeGroup, encodeTraceEvents, flattenGroups } from '../../observability/trace-groups.js';
import { ByteWriter, NL, packGroups } from '../../observability/trace-bytes.js';
import { packedGroups } from '../../observability/trace-unpack.js';
import { isLowerHexUuid, rootInvocationOf, rootTraceId } from '../../observability/scope.js';
import type { RedisConnection } from './connection.js';

/**
 * Trace events in Redis, one hash field per flush holding all its groups,
 * written by one script (scripts/traces.ts, which describes the keys) that
 * also applies the TTL and the cap. Reads find the flushes of an id in an
 * index of ids (lines appended per flush) and decode only that id's groups in them.
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
    // An index line per invocation and per trace of the flush, each id as a JSON string after its letter
    // (no raw newline in it). A root's trace id is its invocation id's digits (rootTraceId): its invocation's
    // line finds it by trace id too (readTraces), so it gets no line of its own, and its trace id is never made
    // here. Several invocations of a trace share its line. Written as bytes, like the packed groups: no
    // string is made per group.
    const lines = new ByteWriter(groups * 48);
    let traces: Set<string> | undefined;
    for (let g = 0; g < groups; g++) {
      const inv = batch.invocationId(g);
      if (inv !== '') {
        lines.byte(0x69); // i
        lines.str(inv);
        lines.byte(NL);
      }
      let trace = batch.recordedTrace(g);
      if (!trace && !isLowerHexUuid(inv)) trace = rootTraceId(inv);
      if (trace && !(traces ??= new Set()).has(trace)) {
        traces.add(trace);
        lines.byte(0x74); // t
        lines.str(trace);
        lines.byte(NL);
      }
    }
    const { packed } = batch;
    const index = lines.bytes();
    const args = [
      String(Date.now()),
      String(bounds.ttlMs),
      String(bounds.maxEvents),
      String(batch.count),
      Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength),
      Buffer.from(index.buffer, index.byteOffset, index.byteLength),
    ];
    await this.conn.run('writing trace events', () => this.conn.script('appendTraces', ...args));
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    // A trace's root is indexed by its invocation id, which its trace id tells (see appendEncoded).
    const root = q.traceId !== undefined ? rootInvocationOf(q.traceId) : undefined;
    const ids: [string, string][] = q.traceId !== undefined ? [['t', q.traceId], ...(root ? [['i', root] as [string, string]] : [])] : [['i', q.invocationId!]];
    // The index lines (appendEncoded), then the same ids as fields of an earlier version's index hash.
    const lines = ids.map(([k, id]) => k + JSON.stringify(id));
    const fields = ids.map(([k, id]) => k + id);
    return this.conn.run('reading trace events', async () => {
      const flushes = (await this.conn.script('readTraces', String(Date.now()), String(lines.length), ...lines, ...fields)) as string[];
      const groups: TraceEvent[][] = [];
      for (const f of flushes) for (const g of packedGroups(f, q)) groups.push(decodeGroup(g));
      return flattenGroups(groups, q, limit);
    });
  }
}
