import { InMemoryEventBus } from '../../../lambdas/shared/event-bus/in-memory-event-bus';
import { EventDispatcher } from '../../../lambdas/shared/event-bus/dispatcher';
import type { AnyEnvelope, Envelope } from '../../../lambdas/shared/events/envelope';
import { anEvent } from '../../support/factories';

describe('InMemoryEventBus', () => {
  it('delivers a published event to every subscriber of its topic, and to no other', async () => {
    // given
    const bus = new InMemoryEventBus();
    const seen: string[] = [];
    bus.subscribe('order.placed', async (e) => void seen.push(`payment got ${e.type}`), { name: 'payment' });
    bus.subscribe('order.placed', async (e) => void seen.push(`audit got ${e.type}`), { name: 'audit' });
    bus.subscribe('order.paid', async (e) => void seen.push(`inventory got ${e.type}`), { name: 'inventory' });
    // when
    await bus.publish('order.placed', anEvent('order.placed'));
    await bus.settled();
    // then
    expect(seen).toEqual(['payment got order.placed', 'audit got order.placed']);
  });

  it('returns from publish before any subscriber runs, as an SNS publish does', async () => {
    // given
    const bus = new InMemoryEventBus();
    let handled = false;
    bus.subscribe('order.placed', async () => {
      handled = true;
    });
    // when
    await bus.publish('order.placed', anEvent('order.placed'));
    // then
    expect(handled).toBe(false);
    await bus.settled();
    expect(handled).toBe(true);
  });

  it('hands each subscriber its own validated copy, never the publisher object', async () => {
    // given
    const bus = new InMemoryEventBus();
    const received: Envelope<'order.paid'>[] = [];
    bus.subscribe('order.paid', async (e) => void received.push(e));
    const sent = anEvent('order.paid');
    // when
    await bus.publish('order.paid', sent);
    await bus.settled();
    // then
    expect(received).toEqual([sent]);
    expect(received[0]).not.toBe(sent);
  });

  it('refuses to publish an event to another event\'s topic', async () => {
    const bus = new InMemoryEventBus();
    await expect(bus.publish('order.paid', anEvent('order.placed') as unknown as Envelope<'order.paid'>)).rejects.toThrow(
      'cannot publish a order.placed event to the order.paid topic',
    );
  });

  it('retries a failed delivery and keeps the others unaffected', async () => {
    // given
    const bus = new InMemoryEventBus({ maxAttempts: 3 });
    let attempts = 0;
    const other: string[] = [];
    bus.subscribe('order.paid', async () => {
      attempts++;
      if (attempts < 3) throw new Error('not yet');
    });
    bus.subscribe('order.paid', async (e) => void other.push(e.id));
    // when
    const event = anEvent('order.paid');
    await bus.publish('order.paid', event);
    await bus.settled();
    // then
    expect(attempts).toBe(3);
    expect(other).toEqual([event.id]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('dead-letters a delivery after maxAttempts, with its reason, and can redrive it once fixed', async () => {
    // given
    const bus = new InMemoryEventBus({ maxAttempts: 2 });
    let broken = true;
    const handled: string[] = [];
    bus.subscribe(
      'order.paid',
      async (e) => {
        if (broken) throw new Error('database down');
        handled.push(e.id);
      },
      { name: 'inventory' },
    );
    const event = anEvent('order.paid');
    // when
    await bus.publish('order.paid', event);
    await bus.settled();
    // then
    expect(bus.deadLetters).toEqual([
      { eventName: 'order.paid', subscriber: 'inventory', body: JSON.stringify(event), attempts: 2, reason: 'database down' },
    ]);
    // when the cause is fixed
    broken = false;
    expect(bus.redriveDeadLetters()).toBe(1);
    await bus.settled();
    // then
    expect(handled).toEqual([event.id]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('dead-letters an invalid event at once: no retry can fix it', async () => {
    // given
    const bus = new InMemoryEventBus({ maxAttempts: 5 });
    let calls = 0;
    bus.subscribe('order.paid', async () => void calls++, { name: 'inventory' });
    const invalid = { ...anEvent('order.paid'), data: { orderId: '' } } as unknown as Envelope<'order.paid'>;
    // when
    await bus.publish('order.paid', invalid);
    await bus.settled();
    // then
    expect(calls).toBe(0);
    expect(bus.deadLetters).toEqual([expect.objectContaining({ subscriber: 'inventory', attempts: 1, reason: expect.stringContaining('INVALID_DATA') })]);
  });

  it('delivers every event twice when asked to, as an at-least-once bus may', async () => {
    // given
    const bus = new InMemoryEventBus({ deliveriesPerEvent: 2 });
    const ids: string[] = [];
    bus.subscribe('order.paid', async (e) => void ids.push(e.id));
    const event = anEvent('order.paid');
    // when
    await bus.publish('order.paid', event);
    await bus.settled();
    // then
    expect(ids).toEqual([event.id, event.id]);
  });

  it('holds a paused subscriber\'s deliveries until it is resumed', async () => {
    // given
    const bus = new InMemoryEventBus();
    const ids: string[] = [];
    bus.subscribe('order.paid', async (e) => void ids.push(e.id), { name: 'slow' });
    bus.pause('slow');
    const first = anEvent('order.paid');
    const second = anEvent('order.paid');
    // when
    await bus.publish('order.paid', first);
    await bus.publish('order.paid', second);
    await bus.settled();
    // then
    expect(ids).toEqual([]);
    bus.resume('slow');
    await bus.settled();
    expect(ids).toEqual([first.id, second.id]);
  });

  it('settles only once the events that handlers publish in turn are handled too', async () => {
    // given: a chain placed → paid → reserved across three subscribers
    const bus = new InMemoryEventBus();
    const seen: string[] = [];
    bus.subscribe('order.placed', async (e) => {
      seen.push(e.type);
      await bus.publish('order.paid', anEvent('order.paid', {}, { causationId: e.id }));
    });
    bus.subscribe('order.paid', async (e) => {
      seen.push(e.type);
      await bus.publish('stock.reserved', anEvent('stock.reserved', {}, { causationId: e.id }));
    });
    bus.subscribe('stock.reserved', async (e) => void seen.push(e.type));
    // when
    await bus.publish('order.placed', anEvent('order.placed'));
    await bus.settled();
    // then
    expect(seen).toEqual(['order.placed', 'order.paid', 'stock.reserved']);
  });
});

describe('EventDispatcher', () => {
  it('runs the internal handlers of each committed event, then publishes it, in order', async () => {
    // given
    const steps: string[] = [];
    const bus = new InMemoryEventBus();
    bus.subscribe('order.placed', async (e) => void steps.push(`bus ${e.id}`));
    bus.subscribe('order.cancelled', async (e) => void steps.push(`bus ${e.id}`));
    const dispatcher = new EventDispatcher(bus, {
      'order.placed': [async (e) => void steps.push(`internal ${e.id}`)],
    });
    const events: AnyEnvelope[] = [anEvent('order.placed', {}, { id: 'a' }), anEvent('order.cancelled', {}, { id: 'b' })];
    // when
    await dispatcher.dispatch(events);
    steps.push('dispatched');
    await bus.settled();
    // then: internal handlers run before publishing; subscribers run later, on their own
    expect(steps).toEqual(['internal a', 'dispatched', 'bus a', 'bus b']);
  });
});
