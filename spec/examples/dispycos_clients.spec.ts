/**
 * The ports of pycos's dispycos examples (and asyncoro's discoro_client2 and client8), each run as
 * a real process against a real discoronode process with two servers, checked against the output
 * its header documents.
 */
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoroFixture, SECRET, type NodeProcess } from '../actors/discoro/discoroFixture.js';
import { runExample } from './runExample.js';
import { killAll, startExample } from './socketExampleProcess.js';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');
const env = { DISCORO_SECRET: SECRET, SCALE: '0.05', SEED: '1' };
const hash = (file: string, alg: string): string => createHash(alg).update(readFileSync(file)).digest('hex');

describe('examples: dispycos ports against a discoronode', function () {
  this.timeout(90_000);
  const fx = discoroFixture();
  const children: ChildProcess[] = [];
  let node: NodeProcess;
  before(async () => {
    node = await fx.node();
  });
  after(async () => {
    killAll(children);
    await fx.cleanup();
  });
  const run = (name: string, ...args: string[]) => runExample(name, [node.location, ...args], env, 75_000);

  it('discoro_client2: CPU jobs under back-pressure (never more running than servers), watched on its web page', async () => {
    const client = startExample('discoro_client2', [node.location, '10'], children, env);
    const url = (await client.waitFor(/^dashboard at (\S+)$/))[1]!;
    let most = 0;
    let nodes: Array<{ name: string; dashboard: string | null }> = [];
    while (client.lines.length < 11 || !client.lines.includes('all jobs done')) {
      let view: { counts: { running: number } };
      try {
        view = (await (await fetch(`${url}api/cluster`)).json()) as typeof view;
        if (nodes.length === 0) nodes = ((await (await fetch(`${url}api/nodes`)).json()) as { nodes: typeof nodes }).nodes;
      } catch (err) {
        // The client closes its page as it exits: a poll racing that is no failure once it is done.
        if (client.lines.includes('all jobs done')) break;
        throw err;
      }
      most = Math.max(most, view.counts.running);
      if (client.lines.includes('all jobs done')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await client.exited(30_000)).to.equal(0);
    const jobs = client.lines.filter((l) => l.startsWith('job '));
    expect(jobs.map((l) => Number(/^job (\d+) processed by 127\.0\.0\.1:\d+$/.exec(l)?.[1]))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(jobs.map((l) => l.split(' by ')[1])).size).to.equal(2);
    expect(most).to.be.within(1, 2); // run() waited for a free server
    expect(nodes.map((n) => n.name)).to.deep.equal([node.name]);
    expect(nodes[0]!.dashboard).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/); // the node's own page, linked
  });

  it('discoro_client8: remote code blocks its server while numbers queue; every sum comes back whole', async () => {
    const r = await run('discoro_client8', '4');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines.filter((l) => /^job \d processed by 127\.0\.0\.1:\d+$/.test(l))).to.have.length(4);
    const sums = r.lines.filter((l) => l.includes('computed result'));
    expect(sums).to.have.length(4);
    for (const l of sums) {
      const m = /^127\.0\.0\.1:\d+ computed result: (\S+) \(sent (\S+)\)$/.exec(l)!;
      expect(m[1], l).to.equal(m[2]);
    }
  });

  it('dispycos_client10: each file checksummed by a server process of its own, which then closes and is replaced', async () => {
    const files = ['fixtures/syslog.txt', 'discoro_client4.ts', 'chat_server.ts'].map((f) => path.join(EXAMPLES, f));
    const r = await run('dispycos_client10', ...files);
    expect(r.code, r.stderr).to.equal(0);
    for (const f of files) {
      const name = path.basename(f);
      const lines = r.lines.filter((l) => l.includes(`sum for ${name}: `));
      expect(lines.length, name).to.be.at.least(5);
      for (const l of lines) {
        const [, alg, sum] = /^(\w+)sum for \S+: ([0-9a-f]+)$/.exec(l)!;
        expect(sum, l).to.equal(hash(f, alg!));
      }
    }
    const servers = r.lines.filter((l) => l.startsWith('sending ')).map((l) => l.split(' to ')[1]);
    expect(servers).to.have.length(3);
    expect(new Set(servers).size).to.equal(3); // the third file went to a fresh server
    expect(r.lines.filter((l) => /^server 127\.0\.0\.1:\d+ closed$/.test(l)).map((l) => l.split(' ')[1]).sort()).to.deep.equal([...servers].sort());
  });

  it('dispycos_kbd_int: an interrupt before the termination; each job sends a final best within the grace period', async () => {
    const r = await run('dispycos_kbd_int');
    expect(r.code, r.stderr).to.equal(0);
    const stop = r.lines.findIndex((l) => l.startsWith('stopping computations; current best value is '));
    expect(stop).to.be.greaterThan(0);
    const updates = r.lines.slice(0, stop).map((l) => /^update from (\S+): (\S+)$/.exec(l)!);
    expect(updates.every((m) => m !== null)).to.equal(true);
    const finals = r.lines.slice(stop + 1).filter((l) => l.startsWith('final from ')).map((l) => /^final from (\S+): (\S+) \((\d) of 2\)$/.exec(l)!);
    expect(finals.map((m) => m[3])).to.deep.equal(['1', '2']); // both in time: none terminated
    for (const [, where, best] of finals) {
      const last = updates.filter((u) => u[1] === where).pop();
      if (last !== undefined) expect(Number(best), where).to.be.at.least(Number(last[2]));
    }
    expect(r.lines[r.lines.length - 1]).to.equal('computation closed');
  });

  it('dispycos_mas: the agents find each other and converge on the same low and high', async () => {
    const r = await run('dispycos_mas', '10');
    expect(r.code, r.stderr).to.equal(0);
    const agents = r.lines.filter((l) => l.startsWith('agent at '));
    expect(agents).to.have.length(2);
    const views = agents.map((l) => /^agent at \S+ knows (\d+) other agents: (\S+ \/ \S+)$/.exec(l)!);
    expect(views.map((v) => v[1])).to.deep.equal(['1', '1']);
    expect(r.lines[r.lines.length - 1]).to.equal(`agents converged on ${views[0]![2]}`);
    expect(views[1]![2]).to.equal(views[0]![2]);
  });

  it('dispycos_mem_servers: each server holds its file in memory and answers about it, one to one and through a channel', async () => {
    const files = ['fixtures/syslog.txt', 'chat_client.ts'].map((f) => path.join(EXAMPLES, f));
    const r = await run('dispycos_mem_servers', ...files);
    expect(r.code, r.stderr).to.equal(0);
    const holders = new Map<string, string>();
    for (const f of files) {
      const name = path.basename(f);
      const answers = r.lines.filter((l) => l.endsWith(`for ${name}: ${l.split(': ').pop()}`) && l.includes(` for ${name}: `));
      expect(answers, name).to.have.length(5);
      for (const l of answers) {
        const [, server, alg, sum] = /^server at (\S+) computed (\w+) for \S+: ([0-9a-f]+)$/.exec(l)!;
        expect(sum, l).to.equal(hash(f, alg!));
        holders.set(name, server!);
      }
      expect(r.lines).to.include(`${holders.get(name)} holds ${name}: ${statSync(f).size} bytes`);
    }
    expect(new Set(holders.values()).size).to.equal(2);
  });
});
