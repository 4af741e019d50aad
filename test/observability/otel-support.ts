import { appendFileSync } from 'node:fs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** What a test reads back of a span. */
export interface SpanLine {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  pid: number;
}

export const toLine = (s: ReadableSpan): SpanLine => ({
  name: s.name,
  kind: s.kind,
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId,
  attributes: { ...s.attributes },
  pid: process.pid,
});

/** The SDK's in-memory exporter, also appending each span to a file as it ends (so a killed process loses nothing it ended). */
class FileTee implements SpanExporter {
  constructor(
    private readonly memory: InMemorySpanExporter,
    private readonly file: string | undefined,
  ) {}
  export(spans: ReadableSpan[], done: (r: { code: number }) => void): void {
    if (this.file) for (const s of spans) appendFileSync(this.file, JSON.stringify(toLine(s)) + '\n');
    this.memory.export(spans, done);
  }
  shutdown(): Promise<void> {
    return this.memory.shutdown();
  }
}

/** A tracer provider of its own (never the global one) exporting every ended span at once. */
export function testTracing(file?: string): { provider: BasicTracerProvider; memory: InMemorySpanExporter } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new FileTee(memory, file))] });
  return { provider, memory };
}
