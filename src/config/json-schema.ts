import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema of `loom.config.yaml`, generated from the zod schema (shipped as `loom/loom.config.schema.json`). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, title: 'Loom configuration' };
}
