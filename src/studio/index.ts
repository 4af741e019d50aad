/**
 * Loom Studio: a web UI over a store, with a JSON API and live updates.
 * `loom studio --store <url>` runs it; `startStudio` embeds it.
 */
export { startStudio, type StudioOptions, type StudioServer } from './server.js';
export type { AuditEntry, AuditSink } from './audit.js';
export { StudioInputError, StudioAuthError, StudioNotFoundError } from './errors.js';
