import type { Channel, Options } from 'amqplib';

/** What every worker sharing a prefix must agree on: RabbitMQ refuses to redeclare a queue with other arguments. */
export interface Topology {
  prefix: string;
  deliveryLimit: number;
}

export const partitionQueue = (prefix: string, partition: number): string => `${prefix}.p${partition}`;
export const deadLetterExchange = (prefix: string): string => `${prefix}.dlx`;
export const deadLetterQueue = (prefix: string): string => `${prefix}.dead`;

/**
 * A quorum queue (replicated, durable) per partition. `x-delivery-limit` makes
 * the broker count redeliveries, so a notice that keeps failing (a poison notice,
 * a consumer that crashes on it) is dead-lettered to the parking queue instead
 * of cycling forever.
 */
export function partitionQueueOptions(t: Topology): Options.AssertQueue {
  return {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': t.deliveryLimit,
      'x-dead-letter-exchange': deadLetterExchange(t.prefix),
    },
  };
}

/**
 * Declares the dead-letter exchange and the parking queue bound to it, and
 * returns how many notices are parked there (a fanout exchange: every
 * dead-lettered notice lands in the one queue whatever its routing key).
 */
export async function assertDeadLetters(ch: Channel, prefix: string): Promise<number> {
  await ch.assertExchange(deadLetterExchange(prefix), 'fanout', { durable: true });
  const q = await ch.assertQueue(deadLetterQueue(prefix), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(deadLetterQueue(prefix), deadLetterExchange(prefix), '');
  return q.messageCount;
}
