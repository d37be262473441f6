#!/usr/bin/env node
/** The CDK app: composes the stack, and runs cdk-nag's AWS Solutions checks on it. Nothing else. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EventDrivenOrdersStack } from '../lib/event-driven-orders-stack';

const app = new App();
new EventDrivenOrdersStack(app, 'EventDrivenOrders', {
  // Account and region come from the deploying profile; synth needs neither.
  env: process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } : undefined,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
