/** The CLI's real surroundings: the local cloud's outputs file, read when present. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCAL_OUTPUTS_FILE, readIfPresent } from '../../../cli/process-deps';
import { PROJECT_ROOT } from '../../../local/cloud/synth';

describe('orders CLI surroundings', () => {
  it('looks for the local cloud outputs where npm start writes them', () => {
    expect(LOCAL_OUTPUTS_FILE).toBe(path.join(PROJECT_ROOT, '.local-cloud', 'outputs.json'));
  });

  it('reads a file that exists, and answers undefined for one that does not', () => {
    // given
    const dir = mkdtempSync(path.join(tmpdir(), 'orders-cli-'));
    try {
      const file = path.join(dir, 'outputs.json');
      writeFileSync(file, '{"ApiUrl":"http://127.0.0.1:1234"}');
      // then
      expect(readIfPresent(file)).toBe('{"ApiUrl":"http://127.0.0.1:1234"}');
      expect(readIfPresent(path.join(dir, 'missing.json'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
