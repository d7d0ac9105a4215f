import { expect } from 'chai';
import { EAGER_FLUSH_BYTES, TurnWriter } from '../../../transports/net/TurnWriter.js';
import { turn } from '../../helpers.js';

describe('TurnWriter', () => {
  it('hands the items of one turn to the sink together, in order, at the end of the turn', async () => {
    const flushed: Buffer[][] = [];
    const writer = new TurnWriter((items) => void flushed.push(items));
    writer.push(Buffer.from('a'));
    writer.push(Buffer.from('b'));
    expect(flushed).to.deep.equal([]);
    await turn();
    expect(flushed.map((f) => f.map(String))).to.deep.equal([['a', 'b']]);
    writer.push(Buffer.from('c'));
    await turn();
    expect(flushed.map((f) => f.map(String))).to.deep.equal([['a', 'b'], ['c']]);
  });

  it('flushes at once when the waiting weight reaches a quarter MiB, and flush() hands over what waits now', () => {
    const flushed: number[] = [];
    const writer = new TurnWriter<number>((items) => void flushed.push(items.length), () => EAGER_FLUSH_BYTES / 4);
    for (let i = 0; i < 3; i++) writer.push(i);
    expect(flushed).to.deep.equal([]);
    writer.push(3);
    expect(flushed).to.deep.equal([4]);
    writer.push(4);
    writer.flush();
    expect(flushed).to.deep.equal([4, 1]);
    writer.flush(); // nothing waits: the sink is not called with an empty list
    expect(flushed).to.deep.equal([4, 1]);
  });

  it('stop() drops what waits and refuses more', async () => {
    const flushed: unknown[] = [];
    const writer = new TurnWriter((items) => void flushed.push(items));
    writer.push(Buffer.from('dropped'));
    writer.stop();
    writer.push(Buffer.from('refused'));
    await turn();
    writer.flush();
    expect(flushed).to.deep.equal([]);
  });

  it('firstAtOnce: an item goes at once when nothing waits; what follows before the microtasks run is batched at the end of the turn', async () => {
    const flushed: string[][] = [];
    const writer = new TurnWriter<string>((items) => void flushed.push(items), () => 1, true);
    writer.push('first');
    expect(flushed).to.deep.equal([['first']]);
    writer.push('second');
    writer.push('third');
    expect(flushed).to.deep.equal([['first']]);
    await Promise.resolve();
    writer.push('behind a batch'); // the batch still waits: after it, in order
    expect(flushed).to.deep.equal([['first']]);
    await turn();
    expect(flushed).to.deep.equal([['first'], ['second', 'third', 'behind a batch']]);
    writer.push('alone again');
    expect(flushed).to.deep.equal([['first'], ['second', 'third', 'behind a batch'], ['alone again']]);
    await Promise.resolve();
    writer.push('and again'); // a lone message after the microtasks ran: at once too
    expect(flushed.at(-1)).to.deep.equal(['and again']);
  });
});
