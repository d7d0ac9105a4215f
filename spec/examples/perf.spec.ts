import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/perf', () => {
  it('creates the clients and the server receives every message and end marker', async () => {
    const run = await runExample('perf', ['5000'], { SCALE: '0.02' });
    expect(run.code).to.equal(0);
    expect(run.lines[0]).to.match(/^creating 5000 coroutines took [\d.]+ sec$/);
    expect(run.lines[1]).to.match(/^messaging took [\d.]+ sec$/);
    expect(run.lines[2]).to.equal('server received 10000 messages and 5000 end markers');
  });
});
