import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The routes of the Order API: the same contract locally (the HTTP bridge reads them from the
 * template) and in AWS. The explorer page is served by the same function, so that it shares
 * the API's origin; `/` redirects to it.
 */
export const ORDER_ROUTES = [
  { method: apigw.HttpMethod.POST, path: '/orders' },
  { method: apigw.HttpMethod.GET, path: '/orders' },
  { method: apigw.HttpMethod.GET, path: '/orders/{orderId}' },
  { method: apigw.HttpMethod.POST, path: '/orders/{orderId}/cancel' },
  { method: apigw.HttpMethod.GET, path: '/orders/{orderId}/events' },
  { method: apigw.HttpMethod.GET, path: '/explorer' },
  { method: apigw.HttpMethod.GET, path: '/' },
] as const;

/**
 * API Gateway HTTP API in front of the Order API function: its routes and nothing else,
 * throttled so a sandbox cannot be run up, with access logs.
 */
export class OrderApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly url: string;
  /** The function behind every route. */
  readonly handler: lambda.IFunction;

  constructor(scope: Construct, id: string, props: { handler: lambda.IFunction }) {
    super(scope, id);
    this.handler = props.handler;
    this.api = new apigw.HttpApi(this, 'HttpApi', { description: 'Order API: place, get, list, cancel orders, read their timelines; the event-flow explorer', createDefaultStage: false });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    const integration = new HttpLambdaIntegration('OrderApiIntegration', props.handler);
    for (const route of ORDER_ROUTES) this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    this.url = stage.url;
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'A teaching system for sandbox accounts: the API is public so that curl and the demo reach it. It is throttled; before real use add a JWT authorizer (see README, "Before production").',
    });
  }
}
