import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { inspect } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { OutOfServiceError } from '../../../../actors/actorErrors.js';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import { DiscoroNode } from '../../../../actors/discoro/node/DiscoroNode.js';
import type { DiscoroNodeOptions } from '../../../../actors/discoro/node/discoroNodeOptions.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
import { NodeCluster } from '../../../../actors/discoro/node/NodeCluster.js';
import { captureLogger, expectError, until } from '../../../helpers.js';
import { ListenError } from '../../../../transports/io/ioErrors.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { Network } from '../../../../actors/remote/Network.js';
import { SECRET, statusLog, WORK } from '../discoroFixture.js';

/** The node runs in this process (its clock is injected); its servers and the clients' networks are real. */
describe('DiscoroNode: service window and closing its computations', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'discoro-node-spec-'));
  const nodes: DiscoroNode[] = [];
  const comps: Computation[] = [];
  let n = 0;
  const work = path.join(dir, 'work.mjs');
  const start = async (o: DiscoroNodeOptions): Promise<DiscoroNode> => {
    const node = await DiscoroNode.start({ cpus: 1, secret: SECRET, discover: false, pulseInterval: 50, destDir: path.join(dir, `node-${++n}`), ...o });
    nodes.push(node);
    return node;
  };
  const computation = (node: DiscoroNode): Computation => {
    const c = new Computation({ components: [work], nodes: [node.location], secret: SECRET, pulseInterval: 200, scheduler: new Scheduler() });
    comps.push(c);
    return c;
  };
  before(async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(work, WORK);
  });
  after(async () => {
    for (const c of comps) {
      await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
      await c.scheduler.terminate();
    }
    for (const node of nodes) await node.stop({ grace: 0 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('outside its window it refuses computations (OutOfServiceError, node-failed); from start it serves; at stop it serves those it has but no new ones; at end it closes them, jobs terminated', async () => {
    let clock = new Date(2025, 0, 6, 7, 0).getTime();
    const setClock = (h: number): void => void (clock = new Date(2025, 0, 6, h, 0).getTime());
    const node = await start({ serviceStart: '08:00', serviceStop: '17:00', serviceEnd: '18:00', now: () => clock });
    expect(node.serviceStatus).to.equal('outside service window, next start 08:00');

    const early = computation(node);
    const earlyLog = statusLog(early);
    const refused = await early.schedule({ timeout: 10_000 }).catch((e: Error) => e);
    expect(OutOfServiceError.is(refused), String(refused)).to.equal(true);
    expect((refused as Error).message).to.include('outside service window, next start 08:00');
    const failed = await earlyLog.until((s) => s.kind === 'node-failed');
    expect(failed.kind === 'node-failed' && OutOfServiceError.is(failed.error)).to.equal(true);
    const discovered = await earlyLog.until((s) => s.kind === 'node-discovered');
    expect(discovered.kind === 'node-discovered' && discovered.node.service).to.equal('outside service window, next start 08:00');

    setClock(8);
    const c = computation(node);
    const log = statusLog(c);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    const seen = await log.until((s) => s.kind === 'node-discovered');
    expect(seen.kind === 'node-discovered' && seen.node.service).to.equal('serving until 17:00');
    const forever = (await c.runAsync('forever')) as JobCoro;

    setClock(17);
    const stopped = await log.until((s) => s.kind === 'node-service');
    expect(stopped.kind === 'node-service' && stopped.service).to.equal('outside service window, next start 08:00; running computations end at 18:00');
    expect(await c.runResult('square', 7)).to.equal(49); // the computation it serves goes on
    const late = computation(node);
    expect(OutOfServiceError.is(await late.schedule({ timeout: 10_000 }).catch((e: Error) => e))).to.equal(true);

    setClock(18);
    expect(await forever.finish({ timeout: 10_000 }).catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    const closed = await log.until((s) => s.kind === 'node-closed');
    expect(closed.kind === 'node-closed' && closed.reason).to.match(/^service window ended/);
    await log.until((s) => s.kind === 'job-terminated');
    expect(node.computations.size).to.equal(0);
  });

  it('closeComputations(): gracefully (no new jobs go there, running ones finish), at once (jobs terminated), or gracefully cut short by terminate; the node goes on serving', async () => {
    const node = await start({});
    const a = computation(node);
    const aLog = statusLog(a);
    await a.schedule({ timeout: 15_000 });
    const running = (await a.run('compute', 1, 400)) as JobCoro;
    const closing = node.closeComputations();
    const told = await aLog.until((s) => s.kind === 'node-closing');
    expect(told.kind === 'node-closing' && told.reason).to.equal('closed at the node');
    expect(await a.runWith({ cpu: false, timeout: 300 }, 'square', 2)).to.equal(false); // not even an async job goes there now
    expect(await running.finish({ timeout: 10_000 })).to.have.property('i', 1);
    expect(await closing).to.equal(1);
    await aLog.until((s) => s.kind === 'node-closed' && s.reason === 'closed at the node');

    const b = computation(node);
    const bLog = statusLog(b);
    await b.schedule({ timeout: 15_000 });
    const stuck = (await b.run('forever')) as JobCoro;
    expect(await node.closeComputations({ terminate: true })).to.equal(1);
    expect(await stuck.finish({ timeout: 10_000 }).catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    await bLog.until((s) => s.kind === 'node-closed' && s.reason === 'terminated at the node');

    const c = computation(node);
    const cLog = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    const endless = (await c.run('forever')) as JobCoro;
    const graceful = node.closeComputations();
    await cLog.until((s) => s.kind === 'node-closing');
    await node.closeComputations({ terminate: true });
    expect(await graceful).to.equal(1);
    expect(await endless.finish({ timeout: 10_000 }).catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    await cLog.until((s) => s.kind === 'node-closed' && s.reason === 'terminated at the node');
    expect(node.computations.size).to.equal(0);
  });
});

describe('DiscoroNode: its secret, its lifetime', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'discoro-node-life-'));
  const secret = 'a-node-secret-nobody-may-print';
  let n = 0;
  const start = (o: DiscoroNodeOptions = {}): Promise<DiscoroNode> => DiscoroNode.start({ cpus: 1, secret, discover: false, spareServers: 0, destDir: path.join(dir, `node-${++n}`), ...o });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('neither the node, its cluster view nor its options show the secret or the TLS key: util.inspect, JSON.stringify, the logger at any depth', async () => {
    const log = captureLogger('info');
    const tlsDir = new URL('../../../../../spec/fixtures/tls/', import.meta.url);
    const [cert, key] = ['cert.pem', 'key.pem'].map((f) => readFileSync(new URL(f, tlsDir), 'utf8')) as [string, string];
    await using node = await start({ logger: log.logger, tls: { cert, key, ca: cert } });
    const cluster = new NodeCluster(node);
    const deep = { a: { b: { c: { d: { node, cluster } } } } };
    const texts = [inspect(node, { depth: Infinity, showHidden: true }), inspect(cluster, { depth: Infinity }), inspect(deep, { depth: Infinity }), JSON.stringify(node), JSON.stringify(deep)];
    node.logger.info({ node, cluster, deep }, 'the node');
    const keyBody = key.split('\n')[1]!; // a line of the key's base64
    for (const text of [...texts, log.raw.join('')]) expect(text).to.not.include(secret).and.to.not.include(keyBody);
    expect(JSON.parse(JSON.stringify(node))).to.deep.include({ name: node.name, location: node.location, cpus: 1 });
    cluster.close();
  });

  it("its servers get the secret over IPC only: a job reads neither DISCORO_SECRET nor DISCORO_DASHBOARD_TOKEN from its environment", async () => {
    process.env.DISCORO_SECRET = secret;
    process.env.DISCORO_DASHBOARD_TOKEN = 'a-dashboard-token-nobody-may-read';
    try {
      await using node = await start();
      const c = new Computation({ components: [], nodes: [node.location], secret, pulseInterval: 200, scheduler: new Scheduler() });
      try {
        await c.schedule({ timeout: 15_000 });
        const env = (_coro: unknown, ...names: string[]): unknown => names.map((name) => process.env[name] ?? null);
        expect(await c.runResult(env, 'DISCORO_SECRET', 'DISCORO_DASHBOARD_TOKEN', 'PATH')).to.deep.equal([null, null, process.env.PATH]);
      } finally {
        await c.close({ terminate: true, timeout: 2000 }).catch(() => undefined);
        await c.scheduler.terminate();
      }
    } finally {
      delete process.env.DISCORO_SECRET;
      delete process.env.DISCORO_DASHBOARD_TOKEN;
    }
  });

  it('stopped(): false on timeout, the abort reason on abort, true once stopped; await using stops it; bad input is InvalidArgumentError and changes nothing', async () => {
    let held: DiscoroNode;
    {
      await using node = await start();
      held = node;
      expect(await node.stopped({ timeout: 10 })).to.equal(false);
      const ac = new AbortController();
      const aborted = node.stopped({ signal: ac.signal });
      ac.abort(new Error('enough waiting'));
      expect(await aborted.catch((e: Error) => e.message)).to.equal('enough waiting');
      await expectError(() => node.stop({ grace: -1 }), InvalidArgumentError);
      await expectError(() => node.setEnabled('no' as never), InvalidArgumentError);
      await expectError(() => node.closeById(42 as never, 'why'), InvalidArgumentError);
      expect(node.isStopping).to.equal(false);
      expect(node.enabled).to.equal(true);
    }
    expect(await held.stopped({ timeout: 0 })).to.equal(true);
    expect(held.isStopping).to.equal(true);
    expect(held.scheduler.isRunning).to.equal(false);
    expect(existsSync(path.join(held.root, 'discoronode.pid'))).to.equal(false);
  });
});

describe('DiscoroNode: its coroutine hears of peers while it runs', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'discoro-node-peers-'));
  const work = path.join(dir, 'work.mjs');
  const scheds: Scheduler[] = [];
  const nodes: DiscoroNode[] = [];
  before(async () => (await import('node:fs')).writeFileSync(work, WORK));
  after(async () => {
    for (const sched of scheds) await sched.terminate();
    for (const node of nodes) await node.stop({ grace: 0 });
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (name: string): Promise<{ node: DiscoroNode; lines: Array<Record<string, any>> }> => {
    const { logger, lines } = captureLogger('info');
    const node = await DiscoroNode.start({ cpus: 1, spareServers: 0, secret: SECRET, discover: false, destDir: path.join(dir, name), logger });
    nodes.push(node);
    return { node, lines };
  };
  const client = (node: DiscoroNode): Computation => {
    const sched = new Scheduler();
    scheds.push(sched);
    return new Computation({ components: [work], nodes: [node.location], secret: SECRET, scheduler: sched });
  };
  const deadLetters = (lines: Array<Record<string, any>>): unknown[] => lines.filter((l) => l.msg === 'dead letters');

  it('stopped after a computation closed while its client is still linked, it logs no dead letters (the stop tells that peer goodbye)', async () => {
    const { node, lines } = await start('a');
    const c = client(node);
    const net = await Network.start(c.scheduler, { discover: false, secret: SECRET }); // the program's: it outlives the computation
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    expect(await c.runResult('square', 7)).to.equal(49);
    await c.close();
    expect(lines.some((l) => l.msg === 'discoro: computation closed')).to.equal(true);
    expect(net.onlinePeers().map((p) => String(p.location))).to.include(node.location);
    await node.stop();
    expect(await node.stopped({ timeout: 0 })).to.equal(true);
    expect(deadLetters(lines)).to.deep.equal([]);
  });

  it('while it runs, a client lost closes its computation there; stopped then, it logs no dead letters', async () => {
    const { node, lines } = await start('b');
    const c = client(node);
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    await Network.of(c.scheduler)!.stop(); // the client goes away without closing its computation
    await until(() => node.computations.size === 0, 15_000, 'the computation closed at the node');
    expect(lines.find((l) => l.msg === 'discoro: computation closed')?.reason).to.equal('client lost');
    await node.stop();
    expect(deadLetters(lines)).to.deep.equal([]);
  });
});

describe('DiscoroNode: its dashboard, readiness and what it says of itself', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'discoro-node-dash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const get = async (url: string): Promise<{ status: number; body: any }> => {
    const res = await fetch(url, { headers: { connection: 'close' } });
    return { status: res.status, body: await res.json() };
  };

  it('serves its dashboard (named after it), whose /readyz follows the node: serving, disabled, outside its window, stopping; info() says the same', async () => {
    let clock = new Date(2025, 0, 6, 12, 0).getTime();
    const node = await DiscoroNode.start({ cpus: 1, spareServers: 0, discover: false, secret: SECRET, destDir: path.join(dir, 'a'), name: 'ready-spec', serviceStart: '08:00', serviceEnd: '18:00', now: () => clock, pulseInterval: 50, dashboard: { port: 0 } });
    try {
      const url = node.dashboard!.url;
      expect(node.dashboardUrl).to.equal(url);
      expect((await get(`${url}api/info`)).body.title).to.equal('discoronode ready-spec');
      expect(await get(`${url}readyz`)).to.deep.equal({ status: 200, body: { status: 'ready', reason: 'serving until 18:00' } });
      expect(node.readiness()).to.deep.equal({ ready: true, reason: 'serving until 18:00' });
      expect(await node.info()).to.deep.include({ state: 'serving', computations: 0, waiting: 0, jobs: { running: 0, done: 0, failed: 0 }, dashboard: url });
      await node.setEnabled(false);
      expect(await get(`${url}readyz`)).to.deep.equal({ status: 503, body: { status: 'not ready', reason: 'disabled by its operator' } });
      expect((await node.info()).state).to.equal('disabled');
      await node.setEnabled(true);
      clock = new Date(2025, 0, 6, 19, 0).getTime();
      await until(() => node.state === 'out of service', 5000, 'the window closed');
      expect(await get(`${url}readyz`)).to.deep.equal({ status: 503, body: { status: 'not ready', reason: 'outside service window, next start 08:00' } });
      expect((await get(`${url}healthz`)).status).to.equal(200); // alive all along
    } finally {
      await node.stop({ grace: 0 });
    }
    expect(node.readiness()).to.deep.equal({ ready: false, reason: 'stopping' });
    expect(await fetch(node.dashboard!.url).then(() => 'answered', (e: Error & { cause?: { code?: string } }) => e.cause?.code)).to.equal('ECONNREFUSED');
  });

  it('a dashboard that cannot listen fails start() with ListenError, and leaves no node behind (its folder can be taken again)', async () => {
    const first = await DiscoroNode.start({ cpus: 1, spareServers: 0, discover: false, secret: SECRET, destDir: path.join(dir, 'b'), dashboard: { port: 0 } });
    try {
      const folder = path.join(dir, 'c');
      const err = await expectError(() => DiscoroNode.start({ cpus: 1, spareServers: 0, discover: false, secret: SECRET, destDir: folder, dashboard: { port: first.dashboard!.port } }), ListenError);
      expect(err.message).to.include(String(first.dashboard!.port));
      const again = await DiscoroNode.start({ cpus: 1, spareServers: 0, discover: false, secret: SECRET, destDir: folder });
      await again.stop({ grace: 0 });
      await expectError(() => DiscoroNode.start({ destDir: folder, failedJobs: -1 }), InvalidArgumentError);
      await expectError(() => DiscoroNode.start({ destDir: folder, dashboard: 'yes' as never }), InvalidArgumentError);
    } finally {
      await first.stop({ grace: 0 });
    }
  });
});
