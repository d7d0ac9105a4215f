import { expect } from 'chai';
import { isSpareData, isThreadReady } from '../../../actors/threads/threadProtocol.js';

describe('threadProtocol', () => {
  it('isThreadReady: a ready message with where the thread is; anything else is not', () => {
    expect(isThreadReady({ kind: 'ready', host: 'thread-1.x', port: 0 })).to.equal(true);
    for (const m of [null, undefined, 'ready', { kind: 'ready' }, { kind: 'ready', host: 1, port: 0 }, { kind: 'link', host: 'h', port: 0 }]) expect(isThreadReady(m)).to.equal(false);
  });

  it('isSpareData: the workerData of a spare; a thread\'s setup or anything else is not', () => {
    expect(isSpareData({ spare: true })).to.equal(true);
    for (const d of [null, undefined, true, { spare: 'yes' }, { index: 1, name: 'thread-1.x' }]) expect(isSpareData(d)).to.equal(false);
  });
});
