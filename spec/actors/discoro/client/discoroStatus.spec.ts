import { expect } from 'chai';
import { StatusFeed, type DiscoroStatus } from '../../../../actors/discoro/client/discoroStatus.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { turn } from '../../../helpers.js';

const scheduled = (id: string): DiscoroStatus => ({ kind: 'computation-scheduled', id });

describe('StatusFeed', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(() => sched.terminate());

  it('every reader gets every status published after it started, in order', async () => {
    const feed = new StatusFeed(sched);
    feed.publish(scheduled('before anyone reads'));
    const a = feed.iterate(), b = feed.iterate();
    feed.publish(scheduled('1'));
    feed.publish(scheduled('2'));
    for (const reader of [a, b]) {
      expect((await reader.next()).value).to.deep.equal(scheduled('1'));
      expect((await reader.next()).value).to.deep.equal(scheduled('2'));
    }
  });

  it('a waiting reader is woken by the next status', async () => {
    const feed = new StatusFeed(sched);
    const reader = feed.iterate();
    const next = reader.next();
    let settled = false;
    void next.then(() => (settled = true));
    await turn();
    expect(settled).to.equal(false);
    feed.publish(scheduled('x'));
    expect((await next).value).to.deep.equal(scheduled('x'));
  });

  it('computation-closed ends it: readers get what was queued, then done; a reader started later is done at once', async () => {
    const feed = new StatusFeed(sched);
    const reader = feed.iterate();
    const waiting = feed.iterate();
    const pending = waiting.next();
    feed.publish(scheduled('last'));
    feed.publish({ kind: 'computation-closed', id: 'c' });
    expect((await pending).value).to.deep.equal(scheduled('last'));
    const seen: string[] = [];
    for await (const s of reader) seen.push(s.kind);
    expect(seen).to.deep.equal(['computation-scheduled', 'computation-closed']);
    expect(await feed.iterate().next()).to.deep.equal({ value: undefined, done: true });
  });

  it('return() (a for await that breaks) stops a reader, also one that is waiting', async () => {
    const feed = new StatusFeed(sched);
    const reader = feed.iterate();
    const pending = reader.next();
    await reader.return!();
    expect(await pending).to.deep.equal({ value: undefined, done: true });
    feed.publish(scheduled('unseen'));
    expect((await reader.next()).done).to.equal(true);
    const other = feed.iterate();
    feed.publish(scheduled('a'));
    for await (const s of other) {
      expect(s).to.deep.equal(scheduled('a'));
      break;
    }
    feed.end();
  });
});
