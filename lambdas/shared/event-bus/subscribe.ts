import type { EventType } from '../events/catalogue';
import type { EventBus, EventHandler, Reactions } from './event-bus';

/** Subscribes each of a context's reactions to its event, named `<context>:<event>`. */
export function subscribeReactions<T extends EventType>(
  bus: EventBus,
  context: string,
  reactions: Reactions<T>,
  options: (eventName: T) => object = () => ({}),
): void {
  for (const eventName of Object.keys(reactions) as T[]) {
    bus.subscribe(eventName, reactions[eventName] as EventHandler<T>, { name: `${context}:${eventName}`, ...options(eventName) });
  }
}
