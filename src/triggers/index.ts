/**
 * `loom/triggers`: HTTP routes and schedules that become actor messages.
 */
export { createHttpTrigger, type HttpTrigger, type HttpTriggerOptions, type HttpInput, type ActorIdSource } from './http/trigger.js';
export { createRequestHandler, FINGERPRINT_HEADER, type HttpHandlerOptions, type RequestHandler } from './http/handler.js';
export { createHttpHandler, serveHttp, type NodeHandler, type LoomHttpServer } from './http/node.js';
export { createFetchHandler } from './http/fetch.js';
export type { TriggerRequest } from './http/request.js';
export type { TriggerResponse, ProblemKind } from './http/problem.js';
export type { StandardSchemaV1, StandardResult, StandardIssue } from './http/schema.js';
export { createScheduleTrigger, type ScheduleTrigger, type ScheduleTriggerOptions, type ScheduleSpec, type CatchUp } from './schedule/trigger.js';
export { Schedules, SCHEDULE_TYPE } from './schedule/schedules.js';
export { ScheduleAdmin, scheduleInfo, type ScheduleInfo } from './schedule/admin.js';
export { tickKey } from './schedule/fire.js';
export type { Timing } from './schedule/ticks.js';
export type { ScheduleStore, ScheduleRecord, ScheduleCursor } from '../ports/schedules.js';
