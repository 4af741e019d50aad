/**
 * Secret values known to this process, so that Loom's own messages (stored
 * errors, dead letters, journal failures, attempt events, logs) never carry
 * one. Secret providers add each value they resolve; the core only reads.
 * Process-wide on purpose: a value any runtime here resolved is a secret for all.
 */
const known = new Set<string>();
let pattern: RegExp | undefined;

/** Shorter values are not redacted: masking every "ab" would garble messages and protect nothing. */
export const MIN_REDACTED_LENGTH = 4;

/** The mark a redacted value leaves behind. */
export const REDACTED = '[redacted secret]';

/** Remembers a secret value so that {@link redact} masks it from now on. */
export function addKnownSecret(value: string): void {
  if (value.length < MIN_REDACTED_LENGTH || known.has(value)) return;
  known.add(value);
  pattern = undefined;
}

/** How many secret values are known (for tests and diagnostics; never the values). */
export function knownSecretCount(): number {
  return known.size;
}

/** `text` with every known secret value replaced by {@link REDACTED}. Free when no secret is known. */
export function redact(text: string): string {
  if (known.size === 0 || text.length < MIN_REDACTED_LENGTH) return text;
  pattern ??= new RegExp([...known].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
  return text.replace(pattern, REDACTED);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
