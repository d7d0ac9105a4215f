import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ServerLostError } from '../../../../actors/actorErrors.js';
import type { Computation } from '../../../../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../../../../actors/discoro/client/discoroStatus.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import type { ServerInfo } from '../../../../actors/discoro/protocol.js';
import { Location } from '../../../../transports/net/Location.js';
import { RemoteError } from '../../../../transports/net/netErrors.js';
import type { MonitorStatus } from '../../../../runtime/MonitorStatus.js';
import { turn, until } from '../../../helpers.js';
import { discoroFixture, statusLog, WORK, type NodeProcess } from '../discoroFixture.js';


type Log = ReturnType<typeof statusLog>;

/** Each job (by its JobInfo) ended once: the terminal statuses of `kinds` per job. */
function endsPerJob(log: Log): Map<unknown, string[]> {
  const ends = new Map<unknown, string[]>();
  for (const s of log.seen) {
    if (s.kind === 'job-finished' || s.kind === 'job-failed' || s.kind === 'job-terminated' || s.kind === 'job-abandoned') ends.set(s.info, [...(ends.get(s.info) ?? []), s.kind]);
  }
  return ends;
}

function abandoned(log: Log): Array<Extract<DiscoroStatus, { kind: 'job-abandoned' }>> {
  return log.seen.filter((s): s is Extract<DiscoroStatus, { kind: 'job-abandoned' }> => s.kind === 'job-abandoned');
}

/** The messages a peer reads, in order, as [kind, id or type, what it carries]. */
function recordFrames(c: Computation, location: string): unknown[][] {
  const net = c.net!;
  const peer = net.route(Location.parse(location))! as unknown as { onFrame(payload: Buffer): void };
  const seen: unknown[][] = [];
  const onFrame = peer.onFrame.bind(peer);
  peer.onFrame = (payload: Buffer): void => {
    const msg = net.codec.decode(payload) as unknown[];
    for (const m of (msg[0] === 4 ? msg.slice(1) : [msg]) as unknown[][]) seen.push(m);
    onFrame(payload);
  };
  return seen;
}

describe('discoro job start and outcome on the wire', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  after(() => fx.cleanup());

  it('the server answers a start before it reports the job\'s outcome, so one path receives each (200 tiny jobs)', async () => {
    const node = await fx.node();
    const c = fx.computation({ components: [fx.component('work.mjs', WORK)], nodes: [node.location], nodeAllocations: [{ node: '*', cpus: 1 }] });
    await c.schedule({ timeout: 15_000 });
    const seen = recordFrames(c, c.servers()[0]!.location);
    const values = await c.runResults<number>('square', Array.from({ length: 200 }, (_, k) => k));
    expect(values[199]).to.equal(199 * 199);
    const answered = new Set<number>();
    let outcomes = 0;
    for (const m of seen) {
      if (m[0] === 1 && typeof m[3] === 'number') answered.add(m[3]); // a reply naming a job's coroutine
      if (m[0] === 0 && m[2] === 'exited') {
        const status = (m[3] as [number, MonitorStatus])[1];
        expect(answered.has(status.coro.id), `job ${status.coro.id}: its outcome came before the reply to its start`).to.equal(true);
        outcomes++;
      }
    }
    expect([answered.size, outcomes]).to.deep.equal([200, 200]);
    await c.close();
  });
});

describe('discoro jobs when their server is lost', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  let work: string;

  before(async () => {
    node = await fx.node();
    work = fx.component('work.mjs', WORK);
  });
  after(() => fx.cleanup());
  const open: Computation[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close({ terminate: true, timeout: 5000 }).catch(() => undefined);
  });

  async function scheduled(options: Partial<Parameters<typeof fx.computation>[0]> = {}): Promise<{ c: Computation; log: Log }> {
    const c = fx.computation({ components: [work], nodes: [node.location], ...options });
    open.push(c);
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    return { c, log };
  }

  const pidOf = (c: Computation, location: string): number => c.servers().find((s) => s.location === location)!.pid;

  it('a start in flight (its server stopped) and the job running there: one ServerLostError and one job-abandoned each; no job-created for the one that never started', async () => {
    const { c, log } = await scheduled();
    const running = (await c.runAsync('forever')) as JobCoro;
    const pid = pidOf(c, running.server);
    process.kill(pid, 'SIGSTOP'); // it reads nothing more: the next start waits for an answer that never comes
    const pending = c.runAsyncAt(running.server, 'square', 3).catch((e: Error) => e);
    await turn();
    fx.kill(pid);
    const err = await pending;
    expect(ServerLostError.is(err), String(err)).to.equal(true);
    expect(ServerLostError.is(await running.finish({ timeout: 10_000 }).catch((e: Error) => e))).to.equal(true);
    await until(() => abandoned(log).length === 2, 10_000, 'two job-abandoned');
    const lostBeforeStart = abandoned(log).find((s) => s.info.fn === 'square')!;
    expect(lostBeforeStart.info.job.id).to.equal(0);
    expect(log.seen.filter((s) => s.kind === 'job-created' && s.info.fn === 'square')).to.have.length(0);
    for (const ends of endsPerJob(log).values()) expect(ends).to.have.length(1);
  });

  it('a CPU job sent ahead to a busy server, waiting there for its turn: both jobs end with one ServerLostError and one job-abandoned', async () => {
    const { c, log } = await scheduled({ nodeAllocations: [{ node: '*', cpus: 1 }], sendAheadBelow: 60_000 });
    for (let k = 0; k < 3; k++) await c.runResult('square', k); // the server's CPU jobs are known to be short
    const first = (await c.run('compute', 1, 60_000)) as JobCoro;
    const ahead = (await c.run('compute', 2, 0)) as JobCoro;
    expect(ahead.server).to.equal(first.server, 'sent ahead to the busy server');
    expect(ahead.done).to.equal(false);
    fx.kill(pidOf(c, first.server));
    for (const job of [first, ahead]) expect(ServerLostError.is(await job.finish({ timeout: 10_000 }).catch((e: Error) => e))).to.equal(true);
    await until(() => abandoned(log).length === 2, 10_000, 'two job-abandoned');
    for (const ends of endsPerJob(log).values()) expect(ends).to.have.length(1);
  });

  it('a lost server takes no other job: once it is known lost, jobs without retries all run elsewhere (the other server, or its replacement)', async () => {
    const { c, log } = await scheduled();
    const [victim] = c.servers() as [ServerInfo, ServerInfo];
    fx.kill(victim.pid);
    await log.until((s) => s.kind === 'server-disconnected' && s.server.pid === victim.pid);
    const values = await c.runResults<{ pid: number }>('compute', Array.from({ length: 20 }, (_, k) => [k, 1]));
    expect(values.map((v) => v.pid)).to.not.include(victim.pid);
    expect(abandoned(log)).to.have.length(0);
  });

  it('the node saying a server\'s process exited ends its jobs (ServerLostError, job-abandoned) and takes it out of the pool; the same event from another peer is ignored', async () => {
    const { c, log } = await scheduled();
    const job = (await c.runAsync('forever')) as JobCoro;
    const server = c.servers().find((s) => s.location === job.server)!;
    // What the node's event reaches: the computation's coroutine, with the node it came from.
    const coro = (c as unknown as { nodeSet: { coro: { send(m: unknown): boolean } } }).nodeSet.coro;
    coro.send({ kind: 'node-event', node: Location.parse('127.0.0.1:1'), event: { kind: 'server-lost', server, reason: 'forged' } });
    coro.send({ kind: 'node-event', node: Location.parse(node.location), event: { kind: 'server-lost', server: { ...server, node: '127.0.0.1:1' }, reason: 'not its server' } });
    await turn();
    expect(job.done).to.equal(false);
    coro.send({ kind: 'node-event', node: Location.parse(node.location), event: { kind: 'server-lost', server, reason: 'exited with code 1' } });
    const err = await job.finish({ timeout: 10_000 }).catch((e: Error) => e);
    expect(ServerLostError.is(err), String(err)).to.equal(true);
    await log.until((s) => s.kind === 'job-abandoned');
    expect(c.servers().map((s) => s.location)).to.not.include(server.location);
    const values = await c.runResults<{ pid: number }>('compute', Array.from({ length: 6 }, (_, k) => [k, 1]));
    expect(values.every((v) => v.pid !== server.pid)).to.equal(true);
  });
});

/** A module whose job fails with a cause, so that its stack names the module and the function. */
const FAILING = `
export function parse(coro, text) { return check(text); }
function check(text) {
  try { JSON.parse(text); } catch (err) { throw new TypeError('not a record: ' + text, { cause: err }); }
  return 1;
}
export async function later(coro, text) { await coro.sleep(5); return check(text); }
`;

describe('discoro failed jobs, at the client', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  let c: Computation;
  before(async () => {
    const node = await fx.node();
    c = fx.computation({ components: [fx.component('failing.mjs', FAILING)], nodes: [node.location] });
    await c.schedule({ timeout: 15_000 });
  });
  after(() => fx.cleanup());

  /** The job's error as the client has it: named, with the server's stack, and its cause with its own. */
  const expectDebuggable = (err: unknown, what: string): void => {
    expect(err, what).to.be.instanceOf(RemoteError);
    const e = err as RemoteError;
    expect(e.name, what).to.equal('TypeError');
    expect(e.remoteMessage, what).to.equal('not a record: {oops');
    expect(e.remoteStack, what).to.match(/at check \(.*failing\.mjs:\d+:\d+\)/);
    expect(e.stack, what).to.match(/^TypeError: not a record: \{oops \(remote\)\n\s+at check \(.*failing\.mjs/);
    const cause = e.cause as RemoteError;
    expect(cause, what).to.be.instanceOf(RemoteError);
    expect(cause.name, what).to.equal('SyntaxError');
    expect(cause.remoteStack, what).to.include('JSON.parse');
  };

  it('the thrown error (runResult, finish(), runResults) and the job-failed status carry the server\'s stack and the cause with its own', async () => {
    const log = statusLog(c);
    expectDebuggable(await c.runResult('parse', '{oops').catch((e: unknown) => e), 'runResult');
    const job = (await c.runAsync('later', '{oops')) as JobCoro;
    expectDebuggable(await job.finish().catch((e: unknown) => e), 'finish()');
    expectDebuggable(await c.runResults('parse', ['{}', '{oops', '[]']).catch((e: unknown) => e), 'runResults');
    const failed = (await log.until((s) => s.kind === 'job-failed' && s.info.job === job)) as Extract<DiscoroStatus, { kind: 'job-failed' }>;
    expectDebuggable(failed.error, 'job-failed');
    expect(failed.info.args).to.deep.equal(['{oops']);
    const monitored = await new Promise<MonitorStatus>((resolve) => void job.notify({ send: (m: unknown) => (resolve(m as MonitorStatus), true) }));
    expectDebuggable(monitored.error, 'monitor');
  });
});

describe('discoro client tables after many jobs', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  after(() => fx.cleanup());

  it('after 600 jobs that finish, fail, are refused, time out or are aborted, none is left in the computation, its pool, its watches or its peers\' requests; a kept status holds its own job only', async () => {
    const node = await fx.node();
    const c = fx.computation({ components: [fx.component('work.mjs', WORK)], nodes: [node.location] });
    await c.schedule({ timeout: 15_000 });
    const kept: DiscoroStatus[] = [];
    const reading = (async () => {
      for await (const s of c.status()) if (s.kind === 'job-finished' && s.info.fn === 'compute') kept.splice(0, 1, s); // the batch's last
    })();
    const batchArgs = Array.from({ length: 200 }, (_, k) => [k, 0]);
    const batch = new WeakRef(batchArgs[0]!);
    await c.runResults('compute', batchArgs);
    batchArgs.length = 0;
    await Promise.all(Array.from({ length: 100 }, async (_, k) => ((await c.runAsync('square', k)) as JobCoro).value()));
    await Promise.all(Array.from({ length: 100 }, (_, k) => c.runResult('fail', `no ${k}`).catch(() => undefined)));
    await Promise.all(Array.from({ length: 100 }, () => c.runResult('noSuchFunction').catch(() => undefined)));
    await Promise.all(Array.from({ length: 50 }, () => c.runResultWith({ timeout: 5, alarm: 'late', cpu: false }, 'compute', 0, 200)));
    await Promise.all(Array.from({ length: 50 }, () => c.runResultWith({ signal: AbortSignal.timeout(5), cpu: false }, 'compute', 0, 200).catch(() => undefined)));
    const pool = (c as unknown as { pool: { servers: Map<string, { runs: Set<unknown>; jobs: number; cpuJobs: number }>; queues: Map<string, unknown[]> } }).pool;
    await until(() => c.runs.size === 0, 10_000); // the terminated ones are reported
    for (const s of pool.servers.values()) expect([s.runs.size, s.jobs, s.cpuJobs]).to.deep.equal([0, 0, 0]);
    for (const q of pool.queues.values()) expect(q).to.have.length(0);
    for (const p of c.net!.snapshotPeers()) expect([p.requests, p.watching], p.location).to.deep.equal([0, 0]);
    // A job-finished status kept by the program holds its job only, not the batch that ran it.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await turn();
    gc();
    expect(kept).to.have.length(1);
    expect(batch.deref()).to.equal(undefined);
    await c.close();
    await reading;
  });
});
