import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LISTING_INDEX, TABLE_KEYS } from '../../lambdas/shared/infrastructure/dynamodb-store';

export interface ContextTableProps {
  /** A stream of new images: the outbox's way out. Off for tables that publish nothing. */
  readonly stream: boolean;
}

/**
 * A context's own table: aggregates, their outbox and inbox items, under the keys the DynamoDB
 * store writes. Retained when the stack goes, recoverable to any second of the last 35 days,
 * encrypted, and self-cleaning (outbox and inbox items expire through TTL).
 */
export class ContextTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ContextTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_KEYS.timeToLiveAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.stream ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
    });
  }

  /**
   * The listing index the DynamoDB store's `list` queries: sparse (only state items written
   * with a listing entry are in it) and projecting every attribute, so one Query answers the
   * states. For a context that lists its aggregates (Order: recent orders, by day).
   */
  addListingIndex(): void {
    this.table.addGlobalSecondaryIndex({
      indexName: LISTING_INDEX.indexName,
      partitionKey: { name: LISTING_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LISTING_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /** Queries of the listing index, and nothing else of the table. */
  grantList(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [`${this.table.tableArn}/index/${LISTING_INDEX.indexName}`] });
  }

  /** What the DynamoDB store needs: consistent reads (one item or a batch) and transactional puts, on this table only. */
  grantStore(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
      resourceArns: [this.table.tableArn],
    });
  }
}
