import type { AnyEnvelope } from '../../shared/events/envelope';

/** Reads every event of one correlation id, whichever context published it. */
export interface TimelineReader {
  timeline(correlationId: string): Promise<AnyEnvelope[]>;
}
