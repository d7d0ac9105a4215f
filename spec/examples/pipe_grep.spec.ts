import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExample } from './runExample.js';

describe('examples/pipe_grep', () => {
  it('counts the lines mentioning "error" in any case, as grep -ci does', async () => {
    const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/fixtures/syslog.txt');
    const lines = readFileSync(fixture, 'utf8').split('\n').filter((l) => l.length > 0);
    const run = await runExample('pipe_grep', [fixture]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.lines).to.deep.equal([`lines written: ${lines.length}`, `lines with "error": ${lines.filter((l) => /error/i.test(l)).length}`]);
  });
});
