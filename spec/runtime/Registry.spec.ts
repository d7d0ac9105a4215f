import { expect } from 'chai';
import { InvalidArgumentError, NameTakenError } from '../../runtime/runtimeErrors.js';
import { Registry } from '../../runtime/Registry.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';

interface Item { alive: boolean; n: number }

describe('Registry', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  const make = (): Registry<Item> => new Registry<Item>('thing', (i) => i.alive);

  it('adds, gets, deletes and lists live items only', () => {
    const r = make();
    const a = { alive: true, n: 1 };
    const b = { alive: true, n: 2 };
    r.add('a', a);
    r.add('b', b);
    r.add('a2', a);
    expect(r.get('a')).to.equal(a);
    expect(r.names().sort()).to.deep.equal(['a', 'a2', 'b']);
    expect(r.delete('a', b)).to.equal(false);
    expect(r.delete('a', a)).to.equal(true);
    expect(r.get('a')).to.equal(undefined);
    b.alive = false;
    expect(r.get('b')).to.equal(undefined);
    expect(r.names()).to.deep.equal(['a2']);
    r.deleteAll(a);
    expect(r.names()).to.deep.equal([]);
    expect(r.delete('zzz')).to.equal(false);
  });

  it('a name held by a live item is taken; once that item is dead the name is free', () => {
    const r = make();
    const a = { alive: true, n: 1 };
    const b = { alive: true, n: 2 };
    r.add('x', a);
    expect(() => r.add('x', b)).to.throw(NameTakenError);
    expect(r.get('x')).to.equal(a);
    a.alive = false;
    r.add('x', b);
    expect(r.get('x')).to.equal(b);
    expect(() => r.add('', b)).to.throw(InvalidArgumentError);
    expect(() => r.add(7 as any, b)).to.throw(InvalidArgumentError);
  });

  it('wakes waits for a name when it is registered; a timed-out wait leaves nothing behind', async () => {
    const r = make();
    const w1 = new Wait<Item | undefined>(sched, undefined, WaitKind.Other);
    r.waitFor('later', w1);
    const p1 = w1.start(Infinity, undefined);
    const w2 = new Wait<Item | undefined>(sched, undefined, WaitKind.Other);
    w2.alarm = 'timed out';
    r.waitFor('never', w2);
    expect(await w2.start(1, undefined)).to.equal('timed out');
    expect((r as any).waiters.has('never')).to.equal(false);
    const item = { alive: true, n: 3 };
    r.add('later', item);
    expect(await p1).to.equal(item);
    expect((r as any).waiters.size).to.equal(0);
  });
});
