import { expect } from 'chai';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Location } from '../../../transports/net/Location.js';
import type { Peer } from '../../../transports/net/Peer.js';
import type { PeerStatus } from '../../../transports/net/PeerStatus.js';
import { PeerWatchers } from '../../../transports/net/PeerWatchers.js';

const peer = (name: string, port: number): Peer => ({ location: new Location('127.0.0.1', port), name, incarnation: `inc-${port}` }) as Peer;

describe('PeerWatchers', () => {
  let sched: Scheduler;
  beforeEach(() => (sched = new Scheduler()));
  afterEach(() => sched.terminate());

  it('a subscriber hears Online for the current peers, then every change, until it unsubscribes or stops accepting', () => {
    const w = new PeerWatchers(sched);
    const seen: string[] = [];
    const stop = w.subscribe({ send: (s: PeerStatus) => (seen.push(`${s.name} ${s.status}`), true) } as never, [peer('a', 1)]);
    let open = true;
    w.subscribe({ send: () => open } as never, []);
    w.online(peer('b', 2));
    open = false;
    w.offline(peer('a', 1)); // the second subscriber refuses: dropped
    stop();
    w.online(peer('c', 3));
    expect(seen).to.deep.equal(['a online', 'b online', 'a offline']);
    expect(() => w.subscribe(null as never, [])).to.throw(InvalidArgumentError);
  });

  it('a coroutine that ended is dropped without a send: no dead letter', async () => {
    const w = new PeerWatchers(sched);
    const coro = sched.spawn(async () => undefined);
    w.subscribe(coro, []);
    await coro.finish();
    const before = sched.counters.deadLetters;
    w.online(peer('a', 1));
    w.offline(peer('a', 1));
    expect(sched.counters.deadLetters).to.equal(before);
  });

  it('waitForName resolves when the peer comes online, undefined on timeout and at stop; abort rejects', async () => {
    const w = new PeerWatchers(sched);
    const found = w.waitForName('n2', 5000, undefined);
    w.online(peer('n2', 9));
    expect(String(await found)).to.equal('127.0.0.1:9');
    expect(await w.waitForName('never', 20, undefined)).to.equal(undefined);
    const stopped = w.waitForName('n3', 5000, undefined);
    w.stop();
    expect(await stopped).to.equal(undefined);
    const ac = new AbortController();
    const aborted = w.waitForName('n4', 5000, ac.signal);
    ac.abort(new Error('gave up'));
    expect(await aborted.catch((e: Error) => e.message)).to.equal('gave up');
  });
});
