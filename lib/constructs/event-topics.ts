import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { catalogue, EVENT_TYPES, eventsProducedBy, type ContextName, type EventType } from '../../lambdas/shared/events/catalogue';
import { eventId } from './naming';

/**
 * One SNS topic per event of the catalogue: the catalogue is the only list of events, so a new
 * event there is a new topic here. Topics are encrypted and refuse anything but TLS.
 */
export class EventTopics extends Construct {
  readonly topics: Readonly<Record<EventType, sns.ITopic>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // The AWS managed key: free, and usable by any principal of the account allowed to publish.
    const key = kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');
    this.topics = Object.fromEntries(
      EVENT_TYPES.map((type) => [
        type,
        new sns.Topic(this, eventId(type), {
          displayName: `${type} v${catalogue[type].version}: ${catalogue[type].description}`.slice(0, 100),
          masterKey: key,
          enforceSSL: true,
        }),
      ]),
    ) as unknown as Record<EventType, sns.ITopic>;
  }

  topic(type: EventType): sns.ITopic {
    return this.topics[type];
  }

  /** The `TOPIC_ARNS` variable of a context's dispatcher: only the topics of the events it publishes. */
  topicArnsOf(context: ContextName): string {
    return Stack.of(this).toJsonString(Object.fromEntries(eventsProducedBy(context).map((type) => [type, this.topics[type].topicArn])));
  }

  /** Lets `grantee` publish the events of `context`, and no others. */
  grantPublishOf(context: ContextName, grantee: Parameters<sns.ITopic['grantPublish']>[0]): void {
    for (const type of eventsProducedBy(context)) this.topics[type].grantPublish(grantee);
  }
}
