// Lint: typescript-eslint's recommended rules, and the dependency rule that keeps layers
// pointing inwards: a context's domain imports nothing from AWS, Lambda, CDK, or another context.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CONTEXTS = ['order', 'payment', 'inventory'];
const INFRASTRUCTURE_PACKAGES = ['@aws-sdk/*', '@smithy/*', 'aws-lambda', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '@aws-lambda-powertools/*'];

/** The import restrictions of one context's domain. */
function domainRule(context) {
  const others = CONTEXTS.filter((c) => c !== context);
  return {
    files: [`lambdas/${context}/domain/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: INFRASTRUCTURE_PACKAGES, message: 'Domain code imports nothing from AWS, Lambda or CDK.' },
            { group: ['node:*', 'fs', 'http', 'https', 'net', 'crypto'], message: 'Domain code is pure: no I/O, no platform modules.' },
            {
              group: others.flatMap((c) => [`**/${c}/**`, `**/${c}`]),
              message: 'A context never imports another context: contexts share only the event catalogue.',
            },
            {
              group: ['**/application/**', '**/infrastructure/**', '**/handlers/**', '**/shared/event-bus/**', '**/shared/infrastructure/**'],
              message: 'Layers point inwards: the domain depends on no outer layer.',
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'bench-results/', '.local-cloud/', 'test/fixtures/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  ...CONTEXTS.map(domainRule),
  {
    // The shared kernel's domain and the catalogue are imported by every domain: they stay pure too.
    files: ['lambdas/shared/domain/**/*.ts', 'lambdas/shared/events/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: [...INFRASTRUCTURE_PACKAGES, ...CONTEXTS.map((c) => `**/${c}/**`)], message: 'The shared kernel is pure and knows no context.' }] },
      ],
    },
  },
);
