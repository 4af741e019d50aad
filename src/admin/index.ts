/**
 * `loom/admin`: operate a Loom store without being a worker — the client the
 * CLI and Studio use, its query and action types, and its errors.
 */
export { LoomClient, type LoomClientOptions } from './client.js';
export type {
  AdminApi,
  AdminFilter,
  AdminQuery,
  ActorStateView,
  ActorKeyView,
  ActorLogInfo,
  ActorLogPage,
  NamePage,
  BulkAction,
  BulkOptions,
  BulkProgress,
  BulkResult,
  DisplayStatus,
  InvocationDetail,
  InvocationView,
  InvocationViewPage,
  JournalEntryView,
  WaitingReason,
  WaitingReasonKind,
} from './types.js';
export { WAITING_REASON_KINDS } from './types.js';
export { NotFoundError, ActionNotAllowedError, StaleStateError, InvalidFilterError, AdminUnsupportedError } from './errors.js';
export type { StoreAdmin, StoreFilter, StoreQuery, InvocationFilter, InvocationQuery, FilterStatus, AdminWriteOutcome, ActorQueue, ActorQueueRead, RecordsRead } from '../ports/admin.js';
export { CANCELLED_CODE, readQueuesByRow, readRecordsByRow } from '../ports/admin.js';
