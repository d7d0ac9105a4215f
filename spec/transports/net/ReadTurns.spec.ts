import { expect } from 'chai';
import type { Socket } from 'node:net';
import { encodeFrame } from '../../../transports/io/FrameDecoder.js';
import { PeerConnection } from '../../../transports/net/PeerConnection.js';
import { ReadTurns } from '../../../transports/net/ReadTurns.js';
import { duplexPair } from '../../fixtures/duplexPair.js';
import { turn, until } from '../../helpers.js';

describe('ReadTurns: the time a network spends on received frames in one turn of the loop', () => {
  it('has time until what was spent reaches turnMs; the next turn starts with all of it', async () => {
    const turns = new ReadTurns(5);
    expect(turns.available).to.equal(true);
    turns.spend(3);
    expect(turns.available).to.equal(true);
    turns.spend(2);
    expect(turns.available).to.equal(false);
    await turn();
    expect(turns.available).to.equal(true);
  });

  it('a PeerConnection whose turn is spent stops reading (socket paused), lets the loop run, and goes on in order', async () => {
    const [a, b] = duplexPair() as [Socket, Socket];
    try {
      const got: number[] = [];
      const ticks: number[] = [];
      // A turn's time smaller than any frame's handling: one frame a turn.
      const turns = new ReadTurns(1e-9);
      new PeerConnection(b, false, 4096, Buffer.alloc(0), { frame: (f) => void got.push((f as Buffer)[0]!), closed: () => undefined }, turns);
      a.write(Buffer.concat(Array.from({ length: 6 }, (_, i) => encodeFrame(Buffer.from([i])))));
      // Something else waiting for the loop: it runs between the frames, not after all of them.
      const tick = (): void => {
        ticks.push(got.length);
        if (got.length < 6) setImmediate(tick);
      };
      setImmediate(tick);
      await until(() => got.length === 6, 5000, 'every frame');
      expect(got).to.deep.equal([0, 1, 2, 3, 4, 5]);
      expect(new Set(ticks).size, `frames seen at each tick: ${ticks}`).to.be.greaterThan(3);
      await until(() => !b.isPaused(), 5000, 'reading again once the frames are handled');
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('connections waiting for time take turns: one that always has frames does not starve another', async () => {
    const [a1, b1] = duplexPair() as [Socket, Socket];
    const [a2, b2] = duplexPair() as [Socket, Socket];
    try {
      const order: string[] = [];
      const turns = new ReadTurns(1e-9); // one frame a turn
      new PeerConnection(b1, false, 4096, Buffer.alloc(0), { frame: () => void order.push('flood'), closed: () => undefined }, turns);
      new PeerConnection(b2, false, 4096, Buffer.alloc(0), { frame: () => void order.push('quiet'), closed: () => undefined }, turns);
      a1.write(Buffer.concat(Array.from({ length: 60 }, () => encodeFrame(Buffer.from([1])))));
      await until(() => order.length >= 2, 5000, 'the flood begun');
      a2.write(Buffer.concat(Array.from({ length: 3 }, () => encodeFrame(Buffer.from([2])))));
      await until(() => order.filter((o) => o === 'quiet').length === 3, 5000, 'the quiet one handled');
      const floodBefore = order.slice(0, order.lastIndexOf('quiet')).filter((o) => o === 'flood').length;
      expect(floodBefore, `order: ${order.join(' ')}`).to.be.below(30);
      await until(() => order.length === 63, 5000, 'every frame');
    } finally {
      for (const s of [a1, b1, a2, b2]) s.destroy();
    }
  });
});
