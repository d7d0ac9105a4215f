import { expect } from 'chai';
import { TimerHeap, type TimerEntry } from '../../runtime/TimerHeap.js';
import { until } from '../helpers.js';

/** A deterministic pseudo-random sequence (so a failure can be replayed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('TimerHeap', () => {
  const heaps: TimerHeap[] = [];
  afterEach(() => {
    for (const h of heaps.splice(0)) h.stop();
  });
  const make = (): TimerHeap => {
    const h = new TimerHeap();
    heaps.push(h);
    return h;
  };

  it('fires entries in deadline order after random inserts and cancels; cancelled ones never fire', async () => {
    const heap = make();
    const random = rng(42);
    const fired: number[] = [];
    const entries: Array<{ delay: number; entry: TimerEntry; cancelled: boolean }> = [];
    for (let i = 0; i < 300; i++) {
      const delay = Math.floor(random() * 40);
      const item = { delay, entry: undefined as unknown as TimerEntry, cancelled: false };
      // Deadlines, not delays, decide the order: under load a later insert gets a later deadline.
      item.entry = heap.add(delay, () => fired.push(item.entry.deadline));
      entries.push(item);
      if (random() < 0.3) {
        const victim = entries[Math.floor(random() * entries.length)];
        if (!victim.cancelled) {
          heap.cancel(victim.entry);
          victim.cancelled = true;
        }
      }
    }
    const expected = entries.filter((e) => !e.cancelled).map((e) => e.entry.deadline);
    expect(heap.size).to.equal(expected.length);
    await until(() => heap.size === 0, 5000, 'every timer to fire');
    expect(fired).to.have.length(expected.length);
    expect(fired).to.deep.equal([...fired].sort((a, b) => a - b));
    expect([...fired].sort((a, b) => a - b)).to.deep.equal(expected.sort((a, b) => a - b));
  });

  it('keeps the heap property under random cancels (checked through indexes)', () => {
    const heap = make();
    const random = rng(7);
    const live = new Set<TimerEntry>();
    for (let i = 0; i < 500; i++) {
      live.add(heap.add(1000 + random() * 1000, () => undefined));
      if (random() < 0.5 && live.size > 0) {
        const arr = [...live];
        const e = arr[Math.floor(random() * arr.length)];
        heap.cancel(e);
        live.delete(e);
        expect(e.index).to.equal(-1);
      }
    }
    expect(heap.size).to.equal(live.size);
    const byIndex = [...live].sort((a, b) => a.index - b.index);
    byIndex.forEach((e, i) => {
      expect(e.index).to.equal(i);
      if (i > 0) expect(byIndex[(i - 1) >> 1].deadline).to.be.at.most(e.deadline);
    });
  });

  it('cancel is a no-op for fired or cancelled entries; an entry added while firing fires later', async () => {
    const heap = make();
    const order: string[] = [];
    const a = heap.add(0, () => {
      order.push('a');
      heap.add(0, () => order.push('added by a'));
    });
    await until(() => order.length === 2);
    expect(order).to.deep.equal(['a', 'added by a']);
    heap.cancel(a);
    heap.cancel(a);
    expect(heap.size).to.equal(0);
  });

  it('stop() cancels everything', async () => {
    const heap = make();
    let fired = 0;
    for (let i = 0; i < 5; i++) heap.add(1, () => fired++);
    heap.stop();
    expect(heap.size).to.equal(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).to.equal(0);
  });

  describe('scheduleSoon (timed when the turn ends)', () => {
    const entry = (fire: () => void): TimerEntry => ({ deadline: 0, index: -1, ref: false, fire });

    it('counts in size at once; one cancelled within the turn never enters the heap nor fires', async () => {
      const heap = make();
      let fired = 0;
      const entries = Array.from({ length: 5 }, () => heap.scheduleSoon(entry(() => fired++), 1));
      expect(heap.size).to.equal(5);
      // Cancel from the middle, the end and the start: the others keep consistent positions.
      for (const i of [2, 4, 0]) heap.cancel(entries[i]!);
      expect(heap.size).to.equal(2);
      expect(entries.filter((e) => e.index !== -1).length).to.equal(2);
      heap.cancel(entries[2]!); // a second cancel is a no-op
      expect(heap.size).to.equal(2);
      await until(() => fired === 2);
      expect(heap.size).to.equal(0);
      await new Promise((r) => setTimeout(r, 10));
      expect(fired).to.equal(2);
    });

    it('an entry still pending when the turn ends fires after its delay counted from then, never before', async () => {
      const heap = make();
      const armedAt = performance.now();
      let firedAt = 0;
      const e = heap.scheduleSoon(entry(() => (firedAt = performance.now())), 20);
      await new Promise((r) => setImmediate(r));
      expect(e.index).to.be.at.least(0); // in the heap now, with an absolute deadline
      expect(e.deadline).to.be.at.least(armedAt + 20);
      await until(() => firedAt > 0);
      expect(firedAt - armedAt).to.be.at.least(19.5);
      expect(heap.size).to.equal(0);
    });

    it('entries pending at the end of the turn may be cancelled from the heap; stop() drops those not yet timed', async () => {
      const heap = make();
      let fired = 0;
      const later = heap.scheduleSoon(entry(() => fired++), 5);
      await new Promise((r) => setImmediate(r));
      heap.cancel(later);
      heap.scheduleSoon(entry(() => fired++), 1);
      heap.stop();
      expect(heap.size).to.equal(0);
      await new Promise((r) => setTimeout(r, 20));
      expect(fired).to.equal(0);
    });
  });
});
