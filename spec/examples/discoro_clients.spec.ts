import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { discoroFixture, SECRET, type NodeProcess } from '../actors/discoro/discoroFixture.js';
import { runExample } from './runExample.js';
import { series, trends } from '../../examples/discoro_client6_channel.js';

describe('examples: discoro clients against a discoronode', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  before(async () => {
    node = await fx.node();
  });
  after(() => fx.cleanup());
  const run = (name: string) => runExample(name, [node.location], { DISCORO_SECRET: SECRET, SCALE: '0.05', SEED: '1' }, 45_000);

  it('discoro_client1: ten results in input order, from both servers', async () => {
    const r = await run('discoro_client1');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines.map((l) => Number(/^result for (\d+) from/.exec(l)?.[1]))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(r.lines.map((l) => /from (\S+):/.exec(l)?.[1])).size).to.equal(2);
  });

  it('discoro_client3: each job delivers its object back to the client coroutine', async () => {
    const r = await run('discoro_client3');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.have.length(10);
    for (const [k, l] of r.lines.entries()) expect(l).to.match(new RegExp(`^result for job ${k}: \\d: \\d\\.\\d{3}$`));
  });

  it('discoro_client6_channel: 1000 points streamed through a channel to two remote coroutines; the trend signals come back', async () => {
    const r = await run('discoro_client6_channel');
    expect(r.code, r.stderr).to.equal(0);
    const expected = trends(series());
    expect(expected.length).to.be.at.least(4);
    // Two coroutines print: the trend signals come in order, the saver's line whenever it is done.
    expect(r.lines.filter((l) => l.startsWith('trend signal'))).to.deep.equal(expected);
    expect(r.lines.filter((l) => !l.startsWith('trend signal'))).to.deep.equal(['saved 1000 ticks']);
  });

  it('discoro_client5: an external program on the servers, fed and read through messages', async () => {
    const r = await run('discoro_client5');
    expect(r.code, r.stderr).to.equal(0);
    for (let i = 0; i < 5; i++) {
      const mine = r.lines.filter((l) => l.startsWith(`job ${i} `));
      expect(mine).to.have.length(11);
      mine.slice(0, 10).forEach((l, k) => expect(l).to.match(new RegExp(`^job ${i} output: Line ${k + 1} - current time is \\S+ \\(${k}\\)$`)));
      expect(mine[10]).to.equal(`job ${i} done`);
    }
  });

  it('discoro_client6: the same points streamed straight to the two remote coroutines, in order', async () => {
    const r = await run('discoro_client6');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines.filter((l) => l.startsWith('trend signal'))).to.deep.equal(trends(series()));
    expect(r.lines.filter((l) => !l.startsWith('trend signal'))).to.deep.equal(['saved 1000 ticks']);
  });

  it('discoro_client7: jobs driven by status messages, ten started and ten finished', async () => {
    const r = await run('discoro_client7');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines.filter((l) => /^rcoro_proc started at \S+ with \d+$/.test(l))).to.have.length(10);
    expect(r.lines.filter((l) => /^rcoro_proc at \S+ finished with \d+$/.test(l))).to.have.length(10);
  });
});

describe('examples: discoro clients with files', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  before(async () => {
    node = await fx.node();
  });
  after(() => fx.cleanup());

  it('discoro_client4: data files shipped to the servers, results sent back to the client', async () => {
    const a = fx.component('a.txt', 'one\nthree\n');
    const b = fx.component('b.txt', 'fifteen chars..\n');
    const r = await runExample('discoro_client4', [node.location, a, b], { DISCORO_SECRET: SECRET, OUT_DIR: fx.dir }, 45_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.have.length(2);
    const [first, second] = r.lines.map((l) => /^job \d output is in (\S+)$/.exec(l)![1]!);
    expect(readFileSync(first!, 'utf8')).to.equal('1: 3\n2: 5\n3: 0\n');
    expect(readFileSync(second!, 'utf8')).to.equal('1: 15\n2: 0\n');
    expect(path.dirname(first!)).to.equal(fx.dir);
  });

  it('discoro_client9_node: nodes held until the client sent their data and enabled them; node setup prepares 15 checksums', async () => {
    const files = ['p.dat', 'q.dat', 'r.dat'].map((f, k) => fx.component(f, `node data ${k}\n`.repeat(50 * (k + 1))));
    const r = await runExample('discoro_client9_node', [node.location, ...files], { DISCORO_SECRET: SECRET }, 45_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.have.length(15);
    for (const l of r.lines) {
      const [, alg, file, hex] = /^(\w+)sum for (\S+): ([0-9a-f]+)$/.exec(l)!;
      expect(hex).to.equal(createHash(alg!).update(readFileSync(files.find((f) => f.endsWith(file!))!)).digest('hex'));
    }
  });

  it('discoro_client9_server: serverSetup loads the data into each server; 15 checksums match the local ones', async () => {
    const files = ['x.dat', 'y.dat', 'z.dat'].map((f, k) => fx.component(f, `data ${k}\n`.repeat(100 * (k + 1))));
    const r = await runExample('discoro_client9_server', [node.location, ...files], { DISCORO_SECRET: SECRET }, 45_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.have.length(15);
    for (const l of r.lines) {
      const [, alg, file, hex] = /^(\w+)sum for (\S+): ([0-9a-f]+)$/.exec(l)!;
      expect(hex).to.equal(createHash(alg!).update(readFileSync(files.find((f) => f.endsWith(file!))!)).digest('hex'));
    }
  });
});
