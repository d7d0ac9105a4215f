import { expect } from 'chai';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
import { PREFETCH_BELOW_MS, ServerPool, type PoolServer } from '../../../../actors/discoro/client/ServerPool.js';
import { PeerLiveness } from '../../../../transports/net/PeerLiveness.js';

function server(location: string, node: string): PoolServer {
  return { info: { location, node, pid: 1, index: 1 }, peer: { isOnline: true, liveness: new PeerLiveness() } as unknown as PoolServer['peer'], cpuJobs: 0, jobs: 0, enabled: true, runs: new Set() };
}

describe('ServerPool', () => {
  let sched: Scheduler;
  let pool: ServerPool;
  let a: PoolServer, b: PoolServer;
  beforeEach(() => {
    sched = new Scheduler();
    pool = new ServerPool(sched);
    a = server('10.0.0.1:9707', '10.0.0.1:9706');
    b = server('10.0.0.2:9707', '10.0.0.2:9706');
    pool.add(a);
    pool.add(b);
  });
  afterEach(() => sched.terminate());

  it('a CPU job takes a server that runs none; the next waits, and waiters are served FIFO as servers are released', async () => {
    const first = await pool.acquire(undefined, true);
    const second = await pool.acquire(undefined, true);
    expect(new Set([first, second])).to.deep.equal(new Set([a, b]));
    const order: string[] = [];
    const third = pool.acquire(undefined, true).then((s) => order.push(`third:${(s as PoolServer).info.location}`));
    const fourth = pool.acquire(undefined, true).then((s) => order.push(`fourth:${(s as PoolServer).info.location}`));
    pool.release(b, true); // no duration: nothing is sent ahead
    await third;
    pool.release(a, true);
    await fourth;
    expect(order).to.deep.equal([`third:${b.info.location}`, `fourth:${a.info.location}`]);
    expect(a.cpuJobs + b.cpuJobs).to.equal(2);
  });

  it('one heartbeat per node: an idle server\'s link is quiet; its silence is judged from its first job to its last', async () => {
    const live = (s: PoolServer) => [s.peer.liveness.heartbeats, s.peer.liveness.judges];
    expect([live(a), live(b)], 'added: no heartbeats, not judged').to.deep.equal([[false, false], [false, false]]);
    const one = (await pool.acquire(a.info.location, true)) as PoolServer;
    const two = (await pool.acquire(a.info.location, false)) as PoolServer;
    expect([one, two]).to.deep.equal([a, a]);
    expect([live(a), live(b)]).to.deep.equal([[false, true], [false, false]]);
    pool.release(a, true);
    expect(live(a), 'a job still runs there').to.deep.equal([false, true]);
    pool.release(a, false);
    expect(live(a)).to.deep.equal([false, false]);
  });

  it('one ahead: after short jobs a busy server takes one more, never two; a free server goes first', async () => {
    const first = (await pool.acquire(undefined, true)) as PoolServer;
    pool.release(first, true, PREFETCH_BELOW_MS / 5); // the server's jobs are short
    const running = (await pool.acquire(undefined, true)) as PoolServer;
    const other = (await pool.acquire(undefined, true)) as PoolServer;
    expect(other).to.not.equal(running, 'a server that runs nothing goes before sending one ahead');
    const ahead = await pool.acquire(undefined, true, { timeout: 0 });
    expect(ahead).to.equal(first, 'the server with short jobs takes one ahead');
    expect(first.cpuJobs).to.equal(2);
    expect(await pool.acquire(undefined, true, { timeout: 0 })).to.equal(false, 'never two ahead; the other has no short history');
  });

  it('no job is sent ahead behind a long job, nor behind one that has run longer than the limit', async () => {
    pool.remove(b.info.location);
    let s = (await pool.acquire(undefined, true)) as PoolServer;
    pool.release(s, true, PREFETCH_BELOW_MS * 10);
    s = (await pool.acquire(undefined, true)) as PoolServer;
    expect(await pool.acquire(undefined, true, { timeout: 0 })).to.equal(false, 'its jobs are long');
    pool.release(s, true, 0);
    // A moving average: a run of short jobs makes it short again (bounded: 0.8^20 of 50 ms is under 1 ms).
    for (let k = 0; k < 20 && a.cpuMs! >= PREFETCH_BELOW_MS; k++) pool.release((await pool.acquire(undefined, true)) as PoolServer, true, 0);
    expect(a.cpuMs).to.be.below(PREFETCH_BELOW_MS);
    s = (await pool.acquire(undefined, true)) as PoolServer;
    s.cpuSince = performance.now() - PREFETCH_BELOW_MS * 2; // the running one has taken longer than the limit
    expect(await pool.acquire(undefined, true, { timeout: 0 })).to.equal(false);
    s.cpuSince = performance.now();
    expect(await pool.acquire(undefined, true, { timeout: 0 })).to.equal(a);
  });

  it('async jobs go to the least loaded server, whatever CPU jobs it runs; of equals the first; never to one that is disabled or lost, however idle', async () => {
    await pool.acquire(undefined, true);
    const x = (await pool.acquire(undefined, false)) as PoolServer;
    const y = (await pool.acquire(undefined, false)) as PoolServer;
    expect(x).to.not.equal(y);
    expect(a.jobs + b.jobs).to.equal(3);
    const fewer = a.jobs < b.jobs ? a : b;
    expect(await pool.acquire(undefined, false)).to.equal(fewer);
    expect([a.jobs, b.jobs]).to.deep.equal([2, 2]);
    expect(await pool.acquire(undefined, false)).to.equal(a);
    for (const _ of [1, 2, 3]) pool.release(a, false);
    pool.setServerEnabled(a.info.location, false);
    expect(await pool.acquire(undefined, false)).to.equal(b);
    pool.setServerEnabled(a.info.location, true);
    pool.lose(a, () => new Error('lost'));
    expect(await pool.acquire(undefined, false)).to.equal(b);
    expect([a.jobs, b.jobs]).to.deep.equal([0, 4]);
  });

  it('where: a server location, a node location or a host; disabled servers and nodes take nothing until enabled', async () => {
    expect(await pool.acquire(b.info.location, true)).to.equal(b);
    pool.release(b, true);
    expect(await pool.acquire('10.0.0.2:9706', false)).to.equal(b);
    expect(await pool.acquire('10.0.0.1', false)).to.equal(a);
    pool.setServerEnabled(a.info.location, false);
    pool.setNodeEnabled(b.info.node, false);
    const waiting = pool.acquire(undefined, true);
    expect(await pool.acquire(undefined, true, { timeout: 0 })).to.equal(false);
    pool.setServerEnabled(a.info.location, true);
    expect(await waiting).to.equal(a);
    expect(pool.setServerEnabled('10.9.9.9:1', true)).to.equal(false);
  });

  it('timeout gives false, an aborted signal rejects with its reason, and neither leaves a waiter behind', async () => {
    await pool.acquire(undefined, true);
    await pool.acquire(undefined, true);
    expect(await pool.acquire(undefined, true, { timeout: 20 })).to.equal(false);
    const ac = new AbortController();
    const aborted = pool.acquire(undefined, true, { signal: ac.signal });
    ac.abort(new Error('user gave up'));
    await aborted.then(() => expect.fail('should reject'), (err: Error) => expect(err.message).to.equal('user gave up'));
    pool.release(a, true);
    expect(await pool.acquire(undefined, true, { timeout: 0 })).to.equal(a, 'the released server went to no stale waiter');
  });

  it('sendAheadBelow 0: nothing is ever sent ahead', async () => {
    const never = new ServerPool(sched, 0);
    never.add(a);
    never.release((await never.acquire(undefined, true)) as PoolServer, true, 0);
    await never.acquire(undefined, true);
    expect(await never.acquire(undefined, true, { timeout: 0 })).to.equal(false);
  });

  it('bad input is an InvalidArgumentError; failWaiters rejects every waiter with the error', async () => {
    expect(() => pool.acquire('', true)).to.throw(InvalidArgumentError);
    await pool.acquire(undefined, true);
    await pool.acquire(undefined, true);
    const w = pool.acquire(undefined, true);
    pool.failWaiters(new Error('computation closed'));
    await w.then(() => expect.fail('should reject'), (err: Error) => expect(err.message).to.equal('computation closed'));
  });

  it('lose(): the server takes no other job (not even a slot freed by its own jobs), each of its jobs is lost once; a dead connection is never picked', async () => {
    const lost: string[] = [];
    const taken = (await pool.acquire(a.info.location, true)) as PoolServer;
    a.runs.add({ lose: (e) => lost.push(`first: ${e.message}`) });
    a.runs.add({ lose: (e) => lost.push(`second: ${e.message}`) });
    const waiting = pool.acquire(a.info.location, true, { timeout: 50 });
    expect(pool.lose(a, (s) => new Error(`${s.info.location} gone`))).to.equal(true);
    expect(lost).to.deep.equal([`first: ${a.info.location} gone`, `second: ${a.info.location} gone`]);
    expect(pool.lose(a, () => new Error('again'))).to.equal(false);
    expect(pool.servers.has(a.info.location)).to.equal(false);
    pool.release(taken, true); // its job ends: the slot is not offered to anyone
    expect(await waiting).to.equal(false);
    expect(await pool.acquire(undefined, true)).to.equal(b);
    (b.peer as { isOnline: boolean }).isOnline = false; // its connection closed, not yet reported
    expect(await pool.acquire(undefined, false, { timeout: 0 })).to.equal(false);
  });

  it('enqueue(): granted at once when a server is free and nothing waits before; else FIFO with acquire(); withdraw and withdrawAll take waiters out; a refused grant is offered to the next', async () => {
    const order: string[] = [];
    const waiter = (name: string, take = true) => ({ where: undefined, cpu: true, grant: (s: PoolServer) => (order.push(`${name}:${s.info.location}`), take), fail: (e: Error) => void order.push(`${name} failed: ${e.message}`) });
    pool.enqueue(waiter('w1'));
    pool.enqueue(waiter('w2'));
    expect(order).to.deep.equal([`w1:${a.info.location}`, `w2:${b.info.location}`]);
    const w3 = waiter('w3', false), w4 = waiter('w4'), w5 = waiter('w5');
    pool.enqueue(w3);
    const viaAcquire = pool.acquire(undefined, true);
    pool.enqueue(w4);
    pool.enqueue(w5);
    expect(pool.withdraw(w5)).to.equal(true);
    expect(pool.withdraw(w5)).to.equal(false);
    pool.release(a, true); // w3 refuses it: the next in line gets it
    expect(await viaAcquire).to.equal(a);
    pool.release(b, true);
    expect(order.slice(2)).to.deep.equal([`w3:${a.info.location}`, `w4:${b.info.location}`]);
    const w6 = waiter('w6'), w7 = waiter('w7');
    pool.enqueue(w6);
    pool.enqueue(w7);
    pool.withdrawAll((w) => w === w6 || w === w7);
    pool.release(a, true);
    expect(order).to.have.length(4);
  });

  it('shut(): every waiter fails, and every later wait at once, until open()', async () => {
    await pool.acquire(undefined, true);
    await pool.acquire(undefined, true);
    const waiting = pool.acquire(undefined, true);
    const failed: string[] = [];
    pool.enqueue({ where: undefined, cpu: true, grant: () => true, fail: (e) => void failed.push(e.message) });
    pool.shut(new Error('no node left'));
    await waiting.then(() => expect.fail('should reject'), (err: Error) => expect(err.message).to.equal('no node left'));
    expect(failed).to.deep.equal(['no node left']);
    await pool.acquire(undefined, false).then(() => expect.fail('should reject'), (err: Error) => expect(err.message).to.equal('no node left'));
    pool.enqueue({ where: undefined, cpu: false, grant: () => true, fail: (e) => void failed.push(e.message) });
    expect(failed).to.have.length(2);
    pool.open();
    expect(await pool.acquire(undefined, false)).to.not.equal(false);
  });
});
