import type { Redis, RedisOptions } from 'ioredis';
import { BullMQTransport, type BullMQTransportOptions } from './transport.js';

/**
 * The seed README's name for the BullMQ transport, kept so that
 * `messageAdapter: new BullMQMessageAdapter(redis)` works as written there.
 * It is a {@link BullMQTransport}: at-least-once work notices, one queue per partition.
 */
export class BullMQMessageAdapter extends BullMQTransport {
  /**
   * @param redis An ioredis client (left open by `close()`), its options, or a `redis://` URL.
   * @param options See {@link BullMQTransportOptions}.
   */
  constructor(redis: Redis | RedisOptions | string, options?: BullMQTransportOptions) {
    super(redis, options);
  }
}
