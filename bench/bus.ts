/**
 * In-memory bus dispatch throughput beside Node's EventEmitter, in this process: events of the
 * catalogue delivered to one subscriber per second. A third figure runs an EventEmitter whose
 * listener does the bus's own per-delivery work (a JSON copy and the catalogue's validation), to
 * show where the bus's time goes.
 */
import { EventEmitter } from 'node:events';
import { InMemoryEventBus } from '../lambdas/shared/event-bus/in-memory-event-bus';
import { createEnvelope, parseEnvelope, type Envelope } from '../lambdas/shared/events/envelope';
import { median } from './stats';

export interface BusResult {
  /** Events delivered per second (median of the rounds). */
  readonly busPerSecond: number;
  readonly eventEmitterPerSecond: number;
  readonly eventEmitterWithBusWorkPerSecond: number;
  readonly rounds: number;
}

function sampleEvent(): Envelope<'order.placed'> {
  return createEnvelope(
    {
      type: 'order.placed',
      data: {
        orderId: 'order-1',
        customerId: 'alice',
        lines: [
          { sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 },
          { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 },
        ],
        total: 10200,
        currency: 'EUR',
      },
    },
    { id: 'event-1', occurredAt: new Date(), source: 'order', aggregateId: 'order-1', trace: { correlationId: 'thread-1', causationId: 'command-1' } },
  );
}

/** Runs `batch` until at least `minMs` passed; returns deliveries per second. */
async function rate(minMs: number, batchSize: number, batch: (count: number) => Promise<number>): Promise<number> {
  let delivered = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) delivered += await batch(batchSize);
  return delivered / ((performance.now() - started) / 1000);
}

export async function measureBus(options: { rounds: number; minMs: number }): Promise<BusResult> {
  const event = sampleEvent();
  const bus: number[] = [];
  const emitter: number[] = [];
  const emitterWithWork: number[] = [];

  for (let round = 0; round < options.rounds; round += 1) {
    bus.push(
      await rate(options.minMs, 5_000, async (count) => {
        const instance = new InMemoryEventBus();
        let delivered = 0;
        instance.subscribe('order.placed', async () => {
          delivered += 1;
        });
        for (let i = 0; i < count; i += 1) await instance.publish('order.placed', event);
        await instance.settled();
        return delivered;
      }),
    );
    emitter.push(
      await rate(options.minMs, 100_000, async (count) => {
        const instance = new EventEmitter();
        let delivered = 0;
        instance.on('order.placed', async () => {
          delivered += 1;
        });
        for (let i = 0; i < count; i += 1) instance.emit('order.placed', event);
        return delivered;
      }),
    );
    emitterWithWork.push(
      await rate(options.minMs, 5_000, async (count) => {
        const instance = new EventEmitter();
        let delivered = 0;
        instance.on('order.placed', async (published: unknown) => {
          parseEnvelope(JSON.parse(JSON.stringify(published)));
          delivered += 1;
        });
        for (let i = 0; i < count; i += 1) instance.emit('order.placed', event);
        return delivered;
      }),
    );
  }
  return {
    busPerSecond: median(bus),
    eventEmitterPerSecond: median(emitter),
    eventEmitterWithBusWorkPerSecond: median(emitterWithWork),
    rounds: options.rounds,
  };
}
