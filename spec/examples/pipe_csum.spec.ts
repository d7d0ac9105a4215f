import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExample } from './runExample.js';

describe('examples/pipe_csum', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'csum-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the same SHA-1 both ways, equal to node:crypto', async () => {
    const file = path.join(dir, 'data.bin');
    writeFileSync(file, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 255)));
    const run = await runExample('pipe_csum', [file]);
    expect(run.code, run.stderr).to.equal(0);
    const expected = createHash('sha1').update(readFileSync(file)).digest('hex');
    expect(run.lines).to.deep.equal([`communicate sha1sum: ${expected}  -`, `feeder sha1sum: ${expected}  -`]);
  });
});
