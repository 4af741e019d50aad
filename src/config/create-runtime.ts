import { ActorRuntime, type ActorRuntimeOptions } from '../runtime/actor-runtime.js';
import type { ActorInfrastructureConfig } from '../core/actor.js';
import type { ActorClass } from '../core/registry.js';
import { ConfigError } from '../core/errors.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { SecretResolver, type SecretResolverOptions } from '../secrets/resolver.js';
import { redactingLogger } from '../secrets/redaction.js';
import { loadConfig } from './load.js';
import { isLoaded } from './sources.js';
import type { ActorConfig, LoomConfig } from './schema.js';
import { effectiveConfig, type EffectiveConfig } from './effective.js';
import { buildBackends } from './backends.js';
import { toBytes, toMs, toSeconds } from './types.js';
import { didYouMean } from './did-you-mean.js';
import { startObservability } from './observability.js';

/** Options of {@link createRuntimeFromConfig}. */
export interface RuntimeFromConfigOptions {
  /** Actor classes to register; the config's `actors.<type>` settings apply to them. */
  actors?: ActorClass[];
  logger?: Logger;
  /** Observes every finished attempt (see ActorRuntimeOptions.onAttempt). */
  onAttempt?: ActorRuntimeOptions['onAttempt'];
  /** Extra options of the default SecretResolver (e.g. a Key Vault credential); `secrets.*` of the config wins. */
  secrets?: SecretResolverOptions;
}

/**
 * Builds an {@link ActorRuntime} from a configuration (from `loadConfig`; a
 * path or a plain object is loaded and validated first): its store and transport, worker settings, actor defaults and per-type
 * settings, secrets, and the health server when `observability.enabled`. The
 * runtime is not started. Settings of `actors.<type>` also apply to classes
 * registered later with `runtime.register`.
 */
export async function createRuntimeFromConfig(config: LoomConfig | string, options: RuntimeFromConfigOptions = {}): Promise<ActorRuntime> {
  // A path or an object that did not come from loadConfig is loaded (validated) here.
  const loaded = typeof config === 'string' || !isLoaded(config) ? await loadConfig(config) : config;
  const c = effectiveConfig(loaded);
  const log = redactingLogger(options.logger ?? consoleLogger);
  const secrets = new SecretResolver({
    ...options.secrets,
    ttlMs: toMs(c.secrets.ttl),
    maxAgeMs: toMs(c.secrets.maxAge),
    ...(c.secrets.refreshInterval !== undefined ? { refreshIntervalMs: toMs(c.secrets.refreshInterval) } : {}),
    ...(c.secrets.vaults ? { vault: { ...options.secrets?.vault, vaults: { ...options.secrets?.vault?.vaults, ...c.secrets.vaults } } } : {}),
  });
  if (options.actors) checkActorNames(c, options.actors);
  const { store, transport } = await buildBackends(c, secrets, log);
  const r = c.runtime;
  const runtime = new ActorRuntime({
    store,
    ...(transport ? { transport } : {}),
    logger: log,
    secrets,
    defaults: actorSettings(c.defaults),
    actorSettings: (type) => {
      const entry = settingsFor(c, type);
      return entry ? actorSettings(entry) : undefined;
    },
    partitions: r.partitions,
    leaseTtlMs: toMs(r.leaseTtl),
    pollIntervalMs: toMs(r.pollInterval),
    maxPayloadBytes: toBytes(r.maxPayloadSize),
    maxActivations: r.maxActivations,
    idleTimeoutMs: toMs(r.idleTimeout),
    maxConcurrency: r.maxConcurrency,
    sweepIntervalMs: toMs(r.sweepInterval),
    deadLetterTtlMs: toMs(r.deadLetterTtl),
    eagerStart: r.eagerStart,
    parkSleepsUpToMs: toMs(r.parkSleepsUpTo),
    ...(r.workerId ? { workerId: r.workerId } : {}),
    ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
  });
  for (const cls of options.actors ?? []) runtime.register(cls);
  if (c.observability.enabled) await startObservability(runtime, c.observability);
  return runtime;
}

function actorSettings(a: Partial<ActorConfig>): ActorInfrastructureConfig {
  const out: ActorInfrastructureConfig = {};
  if (a.timeout !== undefined) out.timeout = toMs(a.timeout);
  if (a.idempotencyTtl !== undefined) out.idempotencyTtl = toSeconds(a.idempotencyTtl);
  if (a.retryPolicy) out.retryPolicy = a.retryPolicy;
  if (a.messageOrdering) out.messageOrdering = a.messageOrdering;
  if (a.concurrency !== undefined) out.concurrency = a.concurrency;
  if (a.secrets) out.secrets = a.secrets;
  return out;
}

/** The `actors` entry for a type: by its name, or its kebab-case form. */
function settingsFor(c: EffectiveConfig, type: string): ActorConfig | undefined {
  return c.actors[type] ?? c.actors[kebab(type)];
}

function checkActorNames(c: EffectiveConfig, classes: ActorClass[]): void {
  const names = classes.flatMap((cls) => {
    const n = cls.actorType ?? cls.name;
    return [n, kebab(n)];
  });
  const unknown = Object.keys(c.actors).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown
        .map((k) => {
          const guess = didYouMean(k, names);
          return `actors.${k} names no actor type given to createRuntimeFromConfig${guess ? ` (did you mean "${guess}"?)` : ''}`;
        })
        .join('; ') + `; the actor types are ${classes.map((cls) => cls.actorType ?? cls.name).join(', ') || 'none'}`,
      { code: 'LOOM_CONFIG_INVALID' },
    );
  }
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}
