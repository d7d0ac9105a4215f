import { expect } from 'chai';
import { asyncPair, schedulerFixture } from '../../fixtures/index.js';

describe('AsyncSocket: for await over messages and lines', () => {
  const fx = schedulerFixture();

  it('sock.messages() yields each framed message until a clean end of stream', async () => {
    const pair = await asyncPair(fx.sched);
    fx.cleanup.push(() => pair.close());
    for (const text of ['one', 'two', 'three']) await pair.client.sendMsg(Buffer.from(text));
    pair.client.close();
    const got: string[] = [];
    for await (const msg of pair.conn.messages({ timeout: 5000 })) got.push(msg.toString());
    expect(got).to.deep.equal(['one', 'two', 'three']);
  });

  it('sock.lines() yields lines without their newline, the last one even without it; break leaves the socket open', async () => {
    const pair = await asyncPair(fx.sched);
    fx.cleanup.push(() => pair.close());
    await pair.client.sendAll(Buffer.from('alpha\nbeta\ngam'));
    await pair.client.sendAll(Buffer.from('ma'));
    pair.client.close();
    const got: string[] = [];
    for await (const line of pair.conn.lines({ timeout: 5000 })) got.push(line);
    expect(got).to.deep.equal(['alpha', 'beta', 'gamma']);
    const other = await asyncPair(fx.sched);
    fx.cleanup.push(() => other.close());
    await other.client.sendAll(Buffer.from('first\nsecond\n'));
    for await (const line of other.conn.lines({ timeout: 5000 })) if (line === 'first') break;
    expect((await other.conn.recvLine({ timeout: 5000 })).toString()).to.equal('second\n');
  });

  it('a read timeout ends the loop with the typed error', async () => {
    const pair = await asyncPair(fx.sched);
    fx.cleanup.push(() => pair.close());
    const err = await (async () => {
      for await (const line of pair.conn.lines({ timeout: 20 })) void line;
    })().catch((e: unknown) => e);
    expect((err as { code?: string }).code).to.equal('ERR_TIMEOUT');
  });
});
