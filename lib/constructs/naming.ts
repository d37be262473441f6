import type { EventType } from '../../lambdas/shared/events/catalogue';

/** `order.placed` → `OrderPlaced`: construct ids (never physical names: CloudFormation picks those). */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function eventId(type: EventType): string {
  return pascal(type);
}
