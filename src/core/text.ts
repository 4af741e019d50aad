/**
 * Text every store can keep as it is. PostgreSQL text cannot hold a NUL
 * character, and a lone UTF-16 surrogate (half of a pair) has no UTF-8 form:
 * PostgreSQL and Redis' Lua JSON refuse it, and SQLite's driver would store
 * something else than was given. Ids, method names and keys are stored as raw
 * text, so they are checked here; JSON values carry such characters escaped and
 * need no check.
 */

/** Why `s` cannot be stored as text, or undefined when it can. */
export function textProblem(s: string): string | undefined {
  if (storableName(s)) return undefined;
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  return 'contains a lone UTF-16 surrogate (half of a surrogate pair, e.g. a string cut in the middle of an emoji)';
}

/**
 * Whether a name or id can be stored as given on every backend: PostgreSQL text
 * cannot hold NUL, and a driver turns an unpaired surrogate into U+FFFD, so the
 * stored id would not be the one given. A plain loop over a short string: it
 * runs for every message, and inlines where a regex or native call would not.
 */
export function storableName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      // A high surrogate followed by a low one is a pair; anything else is unpaired.
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}
