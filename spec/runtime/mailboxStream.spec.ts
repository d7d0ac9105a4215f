import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { mailboxStream } from '../../runtime/mailboxStream.js';
import { schedulerFixture } from '../fixtures/index.js';
import { until } from '../helpers.js';

describe('mailboxStream', () => {
  const fx = schedulerFixture();

  it('yields what is sent to its coroutine in order, and detaches and ends it on break', async () => {
    let sink: Coro<number> | undefined;
    let detached = 0;
    const got: number[] = [];
    const loop = (async () => {
      for await (const n of mailboxStream<number>(fx.sched, 'numbers', (coro) => ((sink = coro), () => detached++))) {
        got.push(n);
        if (n === 2) break;
      }
    })();
    await until(() => sink !== undefined);
    sink!.send(1);
    sink!.send(2);
    sink!.send(3);
    await loop;
    expect(got).to.deep.equal([1, 2]);
    expect(detached).to.equal(1);
    await until(() => !sink!.isAlive);
  });

  it('an attach that fails ends the stream with its error, and the coroutine with it', async () => {
    let sink: Coro<number> | undefined;
    const stream = mailboxStream<number>(fx.sched, 'refused', (coro) => {
      sink = coro;
      throw new Error('no source');
    });
    expect(((await stream.next().catch((e: unknown) => e)) as Error).message).to.equal('no source');
    await until(() => !sink!.isAlive);
  });
});
