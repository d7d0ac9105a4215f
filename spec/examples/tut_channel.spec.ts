import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/tut_channel', () => {
  it('broadcasts 1..4 to two subscribers that print sum 10 and product 24', async () => {
    const run = await runExample('tut_channel');
    expect(run.code).to.equal(0);
    expect(run.lines.filter((l) => l.startsWith('sent '))).to.deep.equal(['sent 1', 'sent 2', 'sent 3', 'sent 4']);
    expect(run.lines).to.include('sum: 10');
    expect(run.lines).to.include('prod: 24');
  });

  it('works for other numbers', async () => {
    const run = await runExample('tut_channel', ['5', '7', '2']);
    expect(run.lines).to.include('sum: 14');
    expect(run.lines).to.include('prod: 70');
  });
});
