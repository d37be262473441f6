import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
/** Lambda's Node.js runtime for every function (the code itself also runs on Node 20 locally). */
export const RUNTIME = lambda.Runtime.NODEJS_22_X;

export interface ContextFunctionProps {
  /** The entry file, relative to `lambdas/`: `order/handlers/confirm-payment.sqs.ts`. */
  readonly entry: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
}

/**
 * A function of a context, built by esbuild from its entry file alone: esbuild's tree shaking
 * keeps only the code and the SDK clients that entry reaches (the SDK is bundled, not taken
 * from the runtime, so the version tested is the version deployed). arm64, minified, with
 * source maps, and a log group that keeps a month of logs.
 */
export class ContextFunction extends Construct {
  readonly function: NodejsFunction;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: ContextFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.seconds(10);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    // Its own role, allowed to write to its own log group: the managed basic execution role
    // would let it write to any log group of the account.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    logGroup.grantWrite(role);
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: path.join(PROJECT_ROOT, 'lambdas', props.entry),
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: this.timeout,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', LOG_LEVEL: 'info', ...props.environment },
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.CJS,
        externalModules: [],
        // Prefer ES modules so esbuild can drop what the entry never uses.
        mainFields: ['module', 'main'],
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason: 'Pinned to Node.js 22 (the LTS this project targets and tests, with Node 20 locally) rather than following the newest runtime unreviewed.',
    });
  }
}
