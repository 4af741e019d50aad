import { InvocationFailedError, fromErrorInfo } from './errors.js';
import { capText } from './echo.js';
import type { InvocationRecord } from '../ports/store.js';

/** The handler's result from a terminal record, or its stored error thrown as `InvocationFailedError`. */
export function outcomeOf<T>(rec: InvocationRecord): T {
  if (rec.status === 'completed') return (rec.resultJson === undefined ? undefined : JSON.parse(rec.resultJson)) as T;
  const info = rec.error ?? { name: 'Error', message: 'failed' };
  const err = new InvocationFailedError(
    `${capText(rec.actorType, 100)}/${capText(rec.actorId, 100)}.${capText(rec.method, 100)} (invocation ${rec.id}) ${rec.status === 'dead' ? `was dead-lettered after ${rec.attempt} attempt(s)` : 'failed'}: ${info.message}`,
    info,
    rec.id,
    rec.status === 'dead',
  );
  err.cause = fromErrorInfo(info);
  throw err;
}
