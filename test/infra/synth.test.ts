/**
 * `cdk synth` as CI runs it: offline, with no AWS credentials or profile, notices and
 * telemetry off, into a fresh directory. It prints how long it took.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { synthesize, templatePath } from '../../local/cloud/synth';

describe('cdk synth', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes the stack and bundles every function with no credentials and no network', async () => {
    // given: no credentials, no profile, and any attempt to reach the network sent to a closed port
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_')));
    Object.assign(env, { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', AWS_EC2_METADATA_DISABLED: 'true', HOME: outdir });
    // when
    const ms = await synthesize({ outdir, env });
    // then
    process.stdout.write(`cdk synth took ${(ms / 1000).toFixed(1)} s\n`);
    const template = JSON.parse(readFileSync(templatePath(outdir), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }> };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const assets = new Set(readdirSync(outdir).filter((name) => name.startsWith('asset.')));
    expect(functions.length).toBeGreaterThanOrEqual(13);
    for (const fn of functions) {
      const hash = String(fn.Properties.Code?.S3Key).replace(/\.zip$/, '');
      expect(assets).toContain(`asset.${hash}`);
      expect(readdirSync(path.join(outdir, `asset.${hash}`))).toEqual(expect.arrayContaining(['index.js', 'index.js.map']));
    }
  }, 120_000);
});
