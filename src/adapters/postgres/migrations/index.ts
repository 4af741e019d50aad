import { migration001Init } from './001_init.js';

/** A numbered schema change, applied once per schema in version order. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Append only: never edit one that has shipped. */
export const migrations: readonly Migration[] = [{ version: 1, name: '001_init', sql: migration001Init }];
