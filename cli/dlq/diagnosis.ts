/**
 * Why a dead letter is there, as far as its body can tell: the project's own envelope
 * validation (what every consumer runs on receipt) for an event, or the stream batch a failure
 * record points to. Pure.
 */
import * as z from 'zod/mini';
import { InvalidEventError, parseEnvelopeJson, type InvalidEventReason } from '../../lambdas/shared/events/envelope';
import type { FieldIssue } from '../../lambdas/shared/events/validation';
import type { DeadLetterKind } from './model';

export type Diagnosis =
  /** A valid event: it failed in its consumer (a bug, a dependency, a refused transition), not on validation. */
  | { readonly kind: 'valid-event'; readonly type: string; readonly version: number; readonly id: string; readonly correlationId: string }
  /** Poison: no consumer of this code will ever accept it. */
  | { readonly kind: 'invalid-event'; readonly reason: InvalidEventReason; readonly message: string; readonly issues: readonly FieldIssue[] }
  /** Where a stream batch failed: the records are still in the stream (24 h) and the outbox items in the table. */
  | {
      readonly kind: 'stream-failure';
      readonly condition: string;
      readonly attempts?: number;
      readonly functionError?: string;
      readonly shardId: string;
      readonly startSequenceNumber: string;
      readonly endSequenceNumber: string;
      readonly batchSize: number;
      readonly streamArn: string;
      readonly firstRecordAt?: string;
      readonly lastRecordAt?: string;
    }
  | { readonly kind: 'unrecognised'; readonly message: string };

/** The message Lambda sends to a stream event source's on-failure destination. */
const streamFailureSchema = z.looseObject({
  requestContext: z.looseObject({ condition: z.string(), approximateInvokeCount: z.optional(z.number()) }),
  responseContext: z.optional(z.looseObject({ functionError: z.optional(z.string()) })),
  DDBStreamBatchInfo: z.looseObject({
    shardId: z.string(),
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    batchSize: z.number(),
    streamArn: z.string(),
    approximateArrivalOfFirstRecord: z.optional(z.string()),
    approximateArrivalOfLastRecord: z.optional(z.string()),
  }),
});

export function diagnose(body: string, kind: DeadLetterKind): Diagnosis {
  return kind === 'stream-failure' ? diagnoseStreamFailure(body) : diagnoseEvent(body);
}

function diagnoseEvent(body: string): Diagnosis {
  try {
    const event = parseEnvelopeJson(body);
    return { kind: 'valid-event', type: event.type, version: event.version, id: event.id, correlationId: event.correlationId };
  } catch (error) {
    if (error instanceof InvalidEventError) return { kind: 'invalid-event', reason: error.reason, message: error.message, issues: error.issues };
    throw error;
  }
}

function diagnoseStreamFailure(body: string): Diagnosis {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'unrecognised', message: 'not JSON, so not a stream failure record' };
  }
  const parsed = streamFailureSchema.safeParse(json);
  if (!parsed.success) return { kind: 'unrecognised', message: 'JSON, but not a stream failure record (no DDBStreamBatchInfo)' };
  const { requestContext, responseContext, DDBStreamBatchInfo: batch } = parsed.data;
  return {
    kind: 'stream-failure',
    condition: requestContext.condition,
    ...(requestContext.approximateInvokeCount === undefined ? {} : { attempts: requestContext.approximateInvokeCount }),
    ...(responseContext?.functionError === undefined ? {} : { functionError: responseContext.functionError }),
    shardId: batch.shardId,
    startSequenceNumber: batch.startSequenceNumber,
    endSequenceNumber: batch.endSequenceNumber,
    batchSize: batch.batchSize,
    streamArn: batch.streamArn,
    ...(batch.approximateArrivalOfFirstRecord === undefined ? {} : { firstRecordAt: batch.approximateArrivalOfFirstRecord }),
    ...(batch.approximateArrivalOfLastRecord === undefined ? {} : { lastRecordAt: batch.approximateArrivalOfLastRecord }),
  };
}

/** The diagnosis in a few lines, indented by the caller. */
export function formatDiagnosis(diagnosis: Diagnosis): string[] {
  switch (diagnosis.kind) {
    case 'valid-event':
      return [
        `valid ${diagnosis.type} v${diagnosis.version} (id ${diagnosis.id}, correlation ${diagnosis.correlationId}):`,
        '  not poison; it failed in its consumer: look for its correlation id in the consumer\'s logs',
      ];
    case 'invalid-event':
      // One problem reads best in a line; several, one field a line.
      return diagnosis.issues.length < 2
        ? [`poison: ${diagnosis.message}`]
        : [`poison: ${diagnosis.reason}, ${diagnosis.issues.length} fields at fault:`, ...diagnosis.issues.map((issue) => `  ${issue.field}: ${issue.problem}`)];
    case 'stream-failure':
      return [
        `stream batch ${diagnosis.condition}${diagnosis.attempts === undefined ? '' : ` after ${diagnosis.attempts} attempt(s)`}` +
          `${diagnosis.functionError ? ` (${diagnosis.functionError})` : ''}: ${diagnosis.batchSize} record(s)`,
        `  shard ${diagnosis.shardId}, sequence ${diagnosis.startSequenceNumber} to ${diagnosis.endSequenceNumber}`,
        `  stream ${diagnosis.streamArn}`,
      ];
    case 'unrecognised':
      return [diagnosis.message];
  }
}
