import { expect } from 'chai';
import { STATUS_LIMIT, StatusFeed, type DiscoroStatus } from '../../../../actors/discoro/client/discoroStatus.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
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

  it('a reader that falls behind keeps its latest `limit` statuses: the next read says how many were dropped, then the rest in order', async () => {
    const feed = new StatusFeed(sched);
    const behind = feed.iterate({ limit: 3 });
    const unbounded = feed.iterate({ limit: Infinity });
    for (let k = 0; k < 10; k++) feed.publish(scheduled(String(k)));
    expect((await behind.next()).value).to.deep.equal({ kind: 'statuses-dropped', count: 7 });
    for (const k of ['7', '8', '9']) expect((await behind.next()).value).to.deep.equal(scheduled(k));
    feed.publish(scheduled('10'));
    expect((await behind.next()).value).to.deep.equal(scheduled('10')); // caught up: nothing more dropped
    for (let k = 0; k < 10; k++) expect((await unbounded.next()).value).to.deep.equal(scheduled(String(k)));
    feed.end();
  });

  it('by default a reader keeps STATUS_LIMIT statuses unread, so an iterator nobody reads holds a bounded number', async () => {
    const feed = new StatusFeed(sched);
    const unread = feed.iterate();
    for (let k = 0; k < STATUS_LIMIT + 5; k++) feed.publish(scheduled(String(k)));
    expect((await unread.next()).value).to.deep.equal({ kind: 'statuses-dropped', count: 5 });
    expect((await unread.next()).value).to.deep.equal(scheduled('5'));
    feed.end();
  });

  it('a limit that is not a positive integer or Infinity: InvalidArgumentError, and no reader is added', async () => {
    const feed = new StatusFeed(sched);
    for (const limit of [0, -1, 1.5, NaN, '10', null]) expect(() => feed.iterate({ limit: limit as never }), String(limit)).to.throw(InvalidArgumentError, /limit/);
    const reader = feed.iterate({ limit: 1 });
    feed.publish(scheduled('only'));
    expect((await reader.next()).value).to.deep.equal(scheduled('only'));
    expect((feed as unknown as { readers: Set<unknown> }).readers.size).to.equal(1);
    feed.end();
  });
});
