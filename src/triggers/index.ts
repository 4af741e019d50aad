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
