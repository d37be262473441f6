/**
 * The dependency rule of `npm run lint`: a context's domain imports nothing from AWS, Lambda,
 * CDK or another context. Each case lints a one-line file as if it sat at the given path.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function lint(filePath: string, source: string): { ok: boolean; output: string } {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', filePath, '--format', 'stylish'],
    { cwd: ROOT, input: source, encoding: 'utf8' },
  );
  if (result.status !== 0 && result.status !== 1) throw new Error(`eslint crashed: ${result.stderr}`);
  return { ok: result.status === 0, output: result.stdout };
}

describe('dependency rule (npm run lint)', () => {
  it.each([
    ['an AWS SDK client', 'lambdas/order/domain/bad.ts', "import { SNSClient } from '@aws-sdk/client-sns';\nexport const c = SNSClient;\n"],
    ['Lambda types', 'lambdas/payment/domain/bad.ts', "import type { SQSEvent } from 'aws-lambda';\nexport type E = SQSEvent;\n"],
    ['another context', 'lambdas/inventory/domain/bad.ts', "import { Order } from '../../order/domain/order';\nexport const o = Order;\n"],
    ['its own infrastructure', 'lambdas/order/domain/bad.ts', "import { X } from '../infrastructure/stored-order-repository';\nexport const x = X;\n"],
  ])('fails when a domain file imports %s', (_, file, source) => {
    const { ok, output } = lint(file, source);
    expect(ok).toBe(false);
    expect(output).toMatch(/no-restricted-imports/);
  });

  it('passes when a domain file imports the shared kernel and the event catalogue', () => {
    const source =
      "import { AggregateRoot } from '../../shared/domain/aggregate-root';\nimport type { OrderLine } from '../../shared/events/catalogue';\nexport type L = OrderLine;\nexport const A = AggregateRoot;\n";
    expect(lint('lambdas/order/domain/good.ts', source)).toMatchObject({ ok: true });
  });

  it('lets infrastructure code import the AWS SDK', () => {
    const source = "import { SNSClient } from '@aws-sdk/client-sns';\nexport const c = SNSClient;\n";
    expect(lint('lambdas/order/infrastructure/good.ts', source).ok).toBe(true);
  });
});
