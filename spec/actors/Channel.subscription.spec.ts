import { expect } from 'chai';
import { Channel } from '../../actors/Channel.js';
import { ChannelClosedError } from '../../actors/actorErrors.js';
import { schedulerFixture } from '../fixtures/index.js';
import { until } from '../helpers.js';

describe('Channel.subscription(): for await over a channel', () => {
  const fx = schedulerFixture();

  it('yields what the channel broadcasts, in order, and unsubscribes on break', async () => {
    const ch = new Channel<number>('numbers', { scheduler: fx.sched });
    const got: number[] = [];
    const loop = (async () => {
      for await (const n of ch.subscription()) {
        got.push(n);
        if (n === 3) break;
      }
    })();
    await until(() => ch.subscribers === 1);
    for (let i = 1; i <= 5; i++) ch.send(i);
    await loop;
    expect(got).to.deep.equal([1, 2, 3]);
    expect(ch.subscribers, 'break unsubscribed it').to.equal(0);
    await until(() => !fx.sched.snapshot().coroutines.some((c) => c.name === 'numbers-subscription'));
  });

  it('ends with the signal reason when aborted, unsubscribed; a closed channel refuses a new subscription', async () => {
    const ch = new Channel<string>('words', { scheduler: fx.sched });
    const controller = new AbortController();
    const loop = (async () => {
      for await (const w of ch.subscription({ signal: controller.signal })) void w;
    })();
    await until(() => ch.subscribers === 1);
    controller.abort(new Error('enough'));
    expect(((await loop.catch((e: unknown) => e)) as Error).message).to.equal('enough');
    expect(ch.subscribers).to.equal(0);
    ch.close();
    const refused = await ch.subscription().next().catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ChannelClosedError);
  });

  it('a bounded mailbox drops for a slow loop instead of holding everything', async () => {
    const ch = new Channel<number>('fast', { scheduler: fx.sched });
    const it = ch.subscription({ mailbox: { capacity: 2, overflow: 'drop-oldest' } });
    const first = it.next();
    await until(() => fx.sched.snapshot().coroutines.some((c) => c.name === 'fast-subscription' && c.state === 'receiving'));
    for (let i = 1; i <= 10; i++) ch.send(i);
    expect((await first).value).to.equal(1); // taken by the pending receive at once
    expect((await it.next()).value).to.equal(9);
    expect((await it.next()).value).to.equal(10);
    await it.return();
    expect(ch.subscribers).to.equal(0);
  });
});
