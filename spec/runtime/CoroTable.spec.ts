import { expect } from 'chai';
import { CoroTable } from '../../runtime/CoroTable.js';

describe('CoroTable (live coroutines by id)', () => {
  const item = (id: number): { id: number } => ({ id });

  it('finds what it holds by id, forgets what was deleted, and iterates in id order', () => {
    const table = new CoroTable<{ id: number }>();
    const items = Array.from({ length: 300 }, (_, i) => item(i + 1));
    for (const it of items) table.add(it.id, it);
    expect(table.size).to.equal(300);
    for (const it of items.filter((x) => x.id % 3 === 0)) table.delete(it);
    expect(table.size).to.equal(200);
    expect(table.get(3)).to.equal(undefined);
    expect(table.get(4)).to.equal(items[3]);
    expect([...table.values()].map((x) => x.id)).to.deep.equal(items.filter((x) => x.id % 3 !== 0).map((x) => x.id));
  });

  it('drops a chunk once all its ids have ended, and still adds after it', () => {
    const table = new CoroTable<{ id: number }>();
    const first = Array.from({ length: 64 }, (_, i) => item(i));
    for (const it of first) table.add(it.id, it);
    const later = item(200);
    table.add(later.id, later);
    for (const it of first) table.delete(it);
    expect(table.size).to.equal(1);
    expect([...table.values()]).to.deep.equal([later]);
    const next = item(201);
    table.add(next.id, next);
    expect(table.get(201)).to.equal(next);
    expect([...table.values()]).to.deep.equal([later, next]);
  });

  it('ignores a delete of what it does not hold, and bad ids on get', () => {
    const table = new CoroTable<{ id: number }>();
    const a = item(5);
    table.add(5, a);
    table.delete(item(5)); // another object with the same id
    table.delete(item(9_999));
    expect(table.get(5)).to.equal(a);
    for (const bad of [-1, 1.5, NaN, 2 ** 53, 2 ** 32 + 5]) expect(table.get(bad)).to.equal(undefined);
    const far = item(2 ** 32 + 5); // ids past 2^32 do not alias small ones
    table.add(far.id, far);
    expect([table.get(5), table.get(2 ** 32 + 5)]).to.deep.equal([a, far]);
    expect(table.size).to.equal(2);
  });
  it('a chunk dropped while its ids are still being handed out is made again, and removals find it', () => {
    const table = new CoroTable<{ id: number }>();
    const early = [item(0), item(1)];
    for (const it of early) table.add(it.id, it);
    for (const it of early) table.delete(it); // chunk 0 dropped: none of its ids is live
    const again = [item(2), item(3), item(4)];
    for (const it of again) table.add(it.id, it);
    table.delete(again[0]!);
    expect([...table.values()]).to.deep.equal([again[1], again[2]]);
    table.delete(again[1]!);
    table.delete(again[2]!);
    expect([table.size, [...table.values()].length, table.get(4)]).to.deep.equal([0, 0, undefined]);
    const far = item(70); // another chunk, removed in between removals of this one
    const near = item(5);
    table.add(near.id, near);
    table.add(far.id, far);
    table.delete(far);
    expect(table.get(5)).to.equal(near);
    table.delete(near);
    expect(table.size).to.equal(0);
  });
});
