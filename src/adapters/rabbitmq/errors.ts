import type { Options } from 'amqplib';
import { StoreError } from '../../core/errors.js';

/** The broker address for messages and logs: user, host, port and vhost, never the password. */
export function describeBroker(url: string | Options.Connect): string {
  if (typeof url !== 'string') {
    const vhost = url.vhost && url.vhost !== '/' ? `/${encodeURIComponent(url.vhost)}` : '';
    const user = url.username ? `${url.username}@` : '';
    return `${url.protocol ?? 'amqp'}://${user}${url.hostname ?? 'localhost'}:${url.port ?? 5672}${vhost}`;
  }
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    // Not parseable: say so rather than echo a string that may hold a password.
    return '(an unparseable AMQP URL)';
  }
}

/**
 * Wraps a failure to reach or use the broker in a StoreError: the operation,
 * the broker, what went wrong, and the likely fix. The driver's error is the cause.
 */
export function brokerError(op: string, broker: string, what: string, cause: unknown): StoreError {
  const detail = describe(cause);
  return new StoreError(`RabbitMQTransport.${op}: ${what} (RabbitMQ at ${broker})${detail ? `: ${detail}` : ''}. ${hint(cause, broker)}`, { cause });
}

function describe(err: unknown): string {
  // Node reports a refused dual-stack connect as an AggregateError with no message of its own.
  if (err instanceof AggregateError && !err.message) return err.errors.map(describe).join('; ');
  if (err instanceof Error) return err.message || String((err as { code?: unknown }).code ?? err.name);
  return err === undefined ? '' : String(err);
}

function hint(err: unknown, broker: string): string {
  const text = describe(err);
  if (/ACCESS[-_]REFUSED|403/.test(text)) {
    return 'Check the user name and password in the URL, and that the user may configure, write and read on that vhost.';
  }
  if (/PRECONDITION[-_]FAILED|inequivalent arg/i.test(text)) {
    return 'A queue or exchange of this prefix already exists with other arguments (another deliveryLimit, or not a quorum queue): give every worker the same options, or delete the old queues.';
  }
  if (/NOT[-_]FOUND.*vhost|vhost .* not found/i.test(text)) return 'Create that vhost, or fix the vhost in the URL.';
  return `Is RabbitMQ running at ${broker} and reachable from this process? Start it or fix the URL; meanwhile the work stays in the store and its poll picks it up.`;
}
