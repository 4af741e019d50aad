import type { ActorRuntime } from '../runtime/actor-runtime.js';
import { createRuntimeFromConfig } from '../config/create-runtime.js';
import { loadActorClasses } from './actors-module.js';
import { loadRuntime } from './load.js';

/**
 * The runtime a running command (`loom worker`, `loom dev`) uses: with
 * `--config`, built from the file with the module's actor classes; without,
 * the module's default-exported runtime.
 */
export async function runtimeForCli(flags: { module: string; config?: string | undefined }): Promise<ActorRuntime> {
  return flags.config ? createRuntimeFromConfig(flags.config, { actors: await loadActorClasses(flags.module) }) : loadRuntime(flags.module);
}
