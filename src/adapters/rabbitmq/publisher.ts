import type { ConfirmChannel, Message } from 'amqplib';
import type { WorkNotice } from '../../ports/transport.js';
import { encodeNotice } from './codec.js';
import { partitionQueue, partitionQueueOptions, type Topology } from './topology.js';

/**
 * One confirm channel and what was learned on it. Publishing is `mandatory`, so
 * a notice whose queue vanished (deleted by an operator) comes back as a
 * `basic.return` before its confirm instead of being confirmed and dropped.
 */
export class ConfirmPublisher {
  closed = false;
  private seq = 0;
  private readonly returned = new Set<string>();
  /** Partition queues declared on this channel; reset with the channel, since a reconnect may face a fresh broker. */
  private readonly declared = new Set<number>();

  constructor(
    readonly channel: ConfirmChannel,
    private readonly topology: Topology,
  ) {
    channel.on('return', (m: Message) => {
      const id: unknown = m.properties.correlationId;
      if (typeof id === 'string') this.returned.add(id);
    });
    channel.on('close', () => (this.closed = true));
  }

  /** Publishes and waits for every confirm; returns the notices the broker did not take (to be retried). */
  async send(notices: readonly WorkNotice[]): Promise<WorkNotice[]> {
    for (const p of new Set(notices.map((n) => n.partition))) {
      if (this.declared.has(p)) continue;
      await this.channel.assertQueue(partitionQueue(this.topology.prefix, p), partitionQueueOptions(this.topology));
      this.declared.add(p);
    }
    const confirms: Promise<boolean>[] = [];
    for (const n of notices) {
      if (this.closed) {
        confirms.push(Promise.resolve(false));
        continue;
      }
      const id = `${++this.seq}`;
      let buffered = true;
      confirms.push(
        new Promise<boolean>((resolve) => {
          try {
            buffered = this.channel.sendToQueue(
              partitionQueue(this.topology.prefix, n.partition),
              encodeNotice(n),
              { persistent: true, mandatory: true, contentType: 'application/json', messageId: n.invocationId, correlationId: id },
              // A nack, or the channel closing before the confirm, arrives as err.
              (err) => resolve(!err && !this.wasReturned(id, n.partition)),
            );
          } catch {
            resolve(false); // the channel closed under us: retried on the next one
          }
        }),
      );
      if (!buffered) await this.drained();
    }
    const ok = await Promise.all(confirms);
    return notices.filter((_, i) => !ok[i]);
  }

  private wasReturned(id: string, partition: number): boolean {
    if (!this.returned.delete(id)) return false;
    this.declared.delete(partition); // declare it again before the retry
    return true;
  }

  /** The socket buffer is full: wait until it drains (or the channel dies) before writing more. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.channel.off('drain', done);
        this.channel.off('close', done);
        resolve();
      };
      this.channel.on('drain', done);
      this.channel.on('close', done);
    });
  }
}
