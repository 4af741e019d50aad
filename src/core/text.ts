/**
 * Text every store can keep as it is. PostgreSQL text cannot hold a NUL
 * character, and a lone UTF-16 surrogate (half of a pair) has no UTF-8 form:
 * PostgreSQL and Redis' Lua JSON refuse it, and SQLite's driver would store
 * something else than was given. Ids, method names and keys are stored as raw
 * text, so they are checked here; JSON values carry such characters escaped and
 * need no check.
 */

/** `String.prototype.isWellFormed` (Node 20+; not in the ES2023 typings). */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Why `s` cannot be stored as text, or undefined when it can. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (!wellFormed(s)) return 'contains a lone UTF-16 surrogate (half of a surrogate pair, e.g. a string cut in the middle of an emoji)';
  return undefined;
}

/** A string for an error message: escaped, so that what cannot be stored can be seen, and cut to a readable length. */
export function shown(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
