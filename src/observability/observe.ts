import type { ActorRuntime } from '../runtime/actor-runtime.js';
import { ConfigError } from '../core/errors.js';
import { Observability, type ObservabilityOptions } from './observability.js';
import { StoreTraceSink } from './sinks/store-sink.js';

const attached = new WeakMap<ActorRuntime, Observability>();

/**
 * Turns on observability for `runtime` (before or after `start()`). One per
 * runtime: a second call returns the first one, and throws if it asks for a
 * part the first did not set up.
 *
 * @example
 * const obs = observe(runtime, { metrics: true, traceSinks: [new StoreTraceSink()], tracer });
 */
export function observe(runtime: ActorRuntime, options: ObservabilityOptions = {}): Observability {
  const existing = attached.get(runtime);
  if (existing) {
    if ((options.metrics && !existing.metrics) || options.tracer || options.traceSinks?.length || options.traceSampleRatio !== undefined) {
      throw new ConfigError('observe(runtime) was already called for this runtime with other options; pass every option in the first call');
    }
    return existing;
  }
  const storeSinks = (options.traceSinks ?? []).filter((s): s is StoreTraceSink => s instanceof StoreTraceSink);
  // Store sinks given no store use the runtime's, known once it starts.
  const onAttach = storeSinks.length ? () => storeSinks.forEach((s) => s.useStore(runtime.store)) : undefined;
  const obs = new Observability({ ...options, logger: options.logger ?? runtime.options.logger }, onAttach);
  runtime.observe(obs.observer);
  attached.set(runtime, obs);
  return obs;
}

/** The observability attached to `runtime` by {@link observe}, if any. */
export function observabilityOf(runtime: ActorRuntime): Observability | undefined {
  return attached.get(runtime);
}
