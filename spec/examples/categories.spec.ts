import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/categories', () => {
  it('takes queued even numbers first through the category, then the rest in arrival order', async () => {
    const run = await runExample('categories', [], { SCALE: '0.1' });
    expect(run.code).to.equal(0);
    expect(run.lines).to.deep.equal([
      'even message: 0', 'even message: 2', 'even message: 4', 'even message: 6', 'even message: 8',
      'message: 1', 'message: 3', 'message: 5', 'message: 7', 'message: 9', 'message: 10', 'message: 11',
      'message: done',
    ]);
  });
});
