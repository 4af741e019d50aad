import { migration001Init } from './001_init.js';
import { migration002Members } from './002_members.js';
import { migration003BatchFunctions } from './003_batch_functions.js';
import { migration004WriteBatch } from './004_write_batch.js';
import { migration005Admin } from './005_admin.js';
import { migration006Meta } from './006_meta.js';
import { migration007ActorData } from './007_actor_data.js';

/** A numbered schema change, applied once per schema in version order. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Append only: never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  { version: 1, name: '001_init', sql: migration001Init },
  { version: 2, name: '002_members', sql: migration002Members },
  { version: 3, name: '003_batch_functions', sql: migration003BatchFunctions },
  { version: 4, name: '004_write_batch', sql: migration004WriteBatch },
  { version: 5, name: '005_admin', sql: migration005Admin },
  { version: 6, name: '006_meta', sql: migration006Meta },
  { version: 7, name: '007_actor_data', sql: migration007ActorData },
];
