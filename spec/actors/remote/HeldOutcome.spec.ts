import { expect } from 'chai';
import { HeldOutcome } from '../../../actors/remote/HeldOutcome.js';
import { RemoteCoro } from '../../../actors/remote/RemoteCoro.js';
import { MonitorStatus } from '../../../runtime/MonitorStatus.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { Location } from '../../../transports/net/Location.js';
import { PeerLostError } from '../../../transports/net/netErrors.js';
import { expectError, rejection, turn } from '../../helpers.js';

/** References to a coroutine of some other node, for statuses made by hand. */
const ref = (id: number): RemoteCoro => new RemoteCoro(undefined, new Location('127.0.0.1', 1), '0'.repeat(32), id, 'x');

describe('HeldOutcome', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(() => sched.terminate());

  it('a status that comes before the start is known is held, then delivered once, at bind, on the started coroutine', () => {
    const seen: unknown[] = [];
    const ended: MonitorStatus[] = [];
    const outcome = new HeldOutcome({ ended: (s) => ended.push(s) }, { send: (s) => (seen.push(s), true) });
    expect(outcome.send('not a status')).to.equal(false);
    expect(outcome.send(new MonitorStatus(ref(0), 'finished', 42))).to.equal(true);
    expect(outcome.send(new MonitorStatus(ref(0), 'failed'))).to.equal(false, 'the first status wins');
    expect([outcome.done, seen.length, ended.length]).to.deep.equal([false, 0, 0]);
    const job = ref(7);
    outcome.bind(job);
    expect(outcome.done).to.equal(true);
    expect(ended).to.have.length(1);
    expect(seen).to.deep.equal(ended);
    expect([ended[0]!.coro, ended[0]!.reason, ended[0]!.value]).to.deep.equal([job, 'finished', 42]);
    outcome.bind(ref(8));
    expect(outcome.abandon(new Error('late'), ref(9))).to.equal(false);
    expect(ended).to.have.length(1, 'delivered once, whatever comes after');
  });

  it('after bind, a status is delivered at once; a monitor added after the end is told at once', () => {
    const ended: MonitorStatus[] = [];
    const outcome = new HeldOutcome({ ended: (s) => ended.push(s) });
    outcome.bind(ref(3));
    expect(ended).to.have.length(0);
    outcome.send(new MonitorStatus(ref(3), 'terminated'));
    expect(ended.map((s) => s.reason)).to.deep.equal(['terminated']);
    const late: unknown[] = [];
    outcome.notify({ send: (s) => (late.push(s), true) });
    expect(late).to.deep.equal(ended);
  });

  it('a lost peer reads as the owner says (its error the cause); abandon() ends it with a local error as it is', () => {
    const lost = new PeerLostError('connection reset');
    const mapped = new HeldOutcome({ lost: (s) => new Error(`server lost: ${(s.error as Error).message}`, { cause: s.error }) });
    mapped.bind(ref(1));
    mapped.send(new MonitorStatus(ref(1), 'peer-lost', undefined, lost));
    expect((mapped.status!.error as Error).message).to.equal('server lost: connection reset');
    expect((mapped.status!.error as Error).cause).to.equal(lost);
    const local = new Error('its process exited');
    const abandoned = new HeldOutcome({ lost: () => new Error('not used') });
    expect(abandoned.abandon(local, ref(0))).to.equal(true);
    expect([abandoned.status!.reason, abandoned.status!.error]).to.deep.equal(['peer-lost', local]);
  });

  it('startFailed: a held peer loss is delivered (a monitor learns of it); otherwise nothing is', () => {
    const told: MonitorStatus[] = [];
    const withLoss = new HeldOutcome(undefined, { send: (s) => (told.push(s as MonitorStatus), true) });
    withLoss.send(new MonitorStatus(ref(0), 'peer-lost', undefined, new PeerLostError('gone')));
    withLoss.startFailed(ref(0));
    expect(told.map((s) => s.reason)).to.deep.equal(['peer-lost']);
    const refused = new HeldOutcome(undefined, { send: (s) => (told.push(s as MonitorStatus), true) });
    refused.startFailed(ref(0));
    expect([refused.done, told.length]).to.deep.equal([false, 1]);
  });

  it('finish(): the value, the error, CoroTerminatedError; alarm on timeout; the signal aborts; bad options', async () => {
    const outcome = new HeldOutcome();
    const pending = outcome.finish<number, string>(sched, ref(1), { timeout: 5000 });
    expect(await outcome.finish(sched, ref(1), { timeout: 10, alarm: 'late' })).to.equal('late');
    const ac = new AbortController();
    const aborted = outcome.finish(sched, ref(1), { signal: ac.signal });
    ac.abort(new Error('stop'));
    expect(((await rejection(aborted)) as Error).message).to.equal('stop');
    await expectError(() => outcome.finish(sched, ref(1), { timeout: -1 }), InvalidArgumentError);
    await turn();
    outcome.bind(ref(1));
    outcome.send(new MonitorStatus(ref(1), 'finished', 5));
    expect(await pending).to.equal(5);
    expect(await outcome.finish(sched, ref(1))).to.equal(5, 'after the end, at once');
    const failed = new HeldOutcome();
    failed.bind(ref(2));
    failed.send(new MonitorStatus(ref(2), 'failed', undefined, new Error('boom')));
    expect(((await rejection(failed.finish(sched, ref(2)))) as Error).message).to.equal('boom');
    const terminated = new HeldOutcome();
    terminated.bind(ref(3));
    terminated.send(new MonitorStatus(ref(3), 'terminated'));
    await expectError(() => terminated.finish(sched, ref(3)), CoroTerminatedError);
  });
});
