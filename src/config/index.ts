/**
 * Configuration (`loom/config`): `loom.config.yaml` (or JSON, or an object)
 * validated by one zod schema, which is also the source of the shipped JSON
 * Schema and of the key reference in docs/configuration.md.
 */
export { loadConfig, type LoadConfigOptions } from './load.js';
export { createRuntimeFromConfig, type RuntimeFromConfigOptions } from './create-runtime.js';
export { configSchema, actorSchema, type LoomConfig, type ActorConfig } from './schema.js';
export { ConfigValidationError, type ConfigProblem } from './errors.js';
export { describeConfig, type ConfigEntry } from './show.js';
export { effectiveConfig, type EffectiveConfig } from './effective.js';
export { configJsonSchema } from './json-schema.js';
