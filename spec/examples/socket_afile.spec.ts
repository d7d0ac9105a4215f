import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExample } from './runExample.js';

describe('examples/socket_afile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'afile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('client and server checksums match the file, and the server counts its lines', async () => {
    const file = path.join(dir, 'text.txt');
    writeFileSync(file, Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`).join('\n') + '\nlast line without newline');
    const run = await runExample('socket_afile', [file]);
    expect(run.code, run.stderr).to.equal(0);
    const sum = createHash('sha1').update(readFileSync(file)).digest('hex');
    expect(run.lines).to.have.members([`client sha1 csum: ${sum}`, `server sha1 csum: ${sum}`, 'lines: 5001']);
  });
});
