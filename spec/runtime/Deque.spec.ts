import { expect } from 'chai';
import { Deque } from '../../runtime/Deque.js';

describe('Deque', () => {
  it('is FIFO across growth and wrap-around', () => {
    const q = new Deque<number>(8);
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) {
        q.push(next);
        model.push(next++);
      }
      for (let i = 0; i < 5; i++) expect(q.shift()).to.equal(model.shift());
      expect(q.length).to.equal(model.length);
      expect(q.peek()).to.equal(model[0]);
    }
    expect([...q]).to.deep.equal(model);
    expect(q.drain()).to.deep.equal(model);
    expect(q.length).to.equal(0);
    expect(q.shift()).to.equal(undefined);
    expect(q.peek()).to.equal(undefined);
  });

  it('at() and removeAt() keep the order of the rest, including across the wrap point', () => {
    const q = new Deque<string>(8);
    for (const c of 'abcdef') q.push(c);
    q.shift();
    q.shift();
    for (const c of 'ghij') q.push(c); // wraps around an 8-slot buffer
    expect([...q].join('')).to.equal('cdefghij');
    expect(q.at(0)).to.equal('c');
    expect(q.at(7)).to.equal('j');
    expect(q.at(8)).to.equal(undefined);
    expect(q.at(-1)).to.equal(undefined);
    expect(q.removeAt(4)).to.equal('g');
    expect(q.removeAt(0)).to.equal('c');
    expect(q.removeAt(5)).to.equal('j');
    expect(q.removeAt(9)).to.equal(undefined);
    expect([...q].join('')).to.equal('defhi');
    q.push('k');
    expect([...q].join('')).to.equal('defhik');
  });

  it('grows from any initial capacity and matches an array under random operations', () => {
    let s = 1;
    const random = (): number => ((s = (s * 48271) % 2147483647) / 2147483647);
    const q = new Deque<number>(3);
    const model: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const r = random();
      if (r < 0.55) {
        q.push(i);
        model.push(i);
      } else if (r < 0.8) {
        expect(q.shift()).to.equal(model.shift());
      } else if (model.length > 0) {
        const at = Math.floor(random() * model.length);
        expect(q.removeAt(at)).to.equal(model.splice(at, 1)[0]);
      }
      expect(q.length).to.equal(model.length);
    }
    expect([...q]).to.deep.equal(model);
  });
});
