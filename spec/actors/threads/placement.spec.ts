import { expect } from 'chai';
import { pick, placementOf, type Placeable } from '../../../actors/threads/placement.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';

function slot(index: number, state = 'up', placed = 0, busy = 0): Placeable & { state: string } {
  return { index, state, life: { placed }, measure: () => busy };
}

describe('placement', () => {
  it('placementOf: one of thread, key, leastLoaded (the default); anything else is InvalidArgumentError', () => {
    expect(placementOf({})).to.deep.equal({ leastLoaded: true });
    expect(placementOf({ thread: 3 })).to.deep.equal({ thread: 3 });
    expect(placementOf({ key: 'k' })).to.deep.equal({ key: 'k' });
    expect(placementOf({ key: 0 })).to.deep.equal({ key: 0 });
    for (const bad of [{ thread: 0 }, { thread: -1 }, { thread: 1.5 }, { thread: '1' }, { key: {} }, { key: NaN }, { key: 'x'.repeat(5000) }, { leastLoaded: false }, { thread: 1, key: 'k' }, { key: 'k', leastLoaded: true }]) {
      expect(() => placementOf(bad), JSON.stringify(bad)).to.throw(InvalidArgumentError);
    }
  });

  it('by index: that thread whatever its state; beyond the group InvalidArgumentError', () => {
    const slots = [slot(1), slot(2, 'down')];
    expect(pick(slots, { thread: 2 })).to.equal(slots[1]);
    expect(() => pick(slots, { thread: 3 })).to.throw(InvalidArgumentError);
  });

  it('by key: stable, spread over the running threads; a lost thread\'s keys move and its other keys stay', () => {
    const slots = [1, 2, 3, 4].map((i) => slot(i));
    const keys = Array.from({ length: 400 }, (_, k) => `user-${k}`);
    const before = new Map(keys.map((k) => [k, pick(slots, { key: k })!.index]));
    for (const k of keys.slice(0, 20)) expect(pick(slots, { key: k })!.index).to.equal(before.get(k));
    const counts = [1, 2, 3, 4].map((i) => [...before.values()].filter((v) => v === i).length);
    for (const c of counts) expect(c).to.be.within(60, 140); // 100 each, give or take
    slots[2]!.state = 'down';
    for (const k of keys) {
      const now = pick(slots, { key: k })!.index;
      if (before.get(k) !== 3) expect(now, k).to.equal(before.get(k));
      else expect(now).to.not.equal(3);
    }
    slots[2]!.state = 'up';
    for (const k of keys) expect(pick(slots, { key: k })!.index).to.equal(before.get(k)); // back to the replacement
    expect(pick([slot(1, 'down')], { key: 'x' })).to.equal(undefined);
  });

  it('least loaded: fewest placed coroutines still running, then the least busy event loop; only running threads', () => {
    expect(pick([slot(1, 'up', 3), slot(2, 'up', 1), slot(3, 'up', 2)], { leastLoaded: true })!.index).to.equal(2);
    expect(pick([slot(1, 'up', 1, 0.9), slot(2, 'up', 1, 0.2)], { leastLoaded: true })!.index).to.equal(2);
    expect(pick([slot(1, 'down', 0), slot(2, 'up', 5)], { leastLoaded: true })!.index).to.equal(2);
    expect(pick([slot(1, 'starting')], { leastLoaded: true })).to.equal(undefined);
  });
});
