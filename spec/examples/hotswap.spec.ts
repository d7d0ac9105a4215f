import { expect } from 'chai';
import { runExample } from './runExample.js';

describe('examples/hotswap', () => {
  it('swaps server and client while they run, loses no message and refuses the bogus swap', async () => {
    const run = await runExample('hotswap', [], { SCALE: '0.2' });
    expect(run.code).to.equal(0);
    const at = (text: string) => run.lines.indexOf(text);
    expect(at('swapping server to server_proc2')).to.be.greaterThan(0);
    expect(run.lines).to.include('ignoring hot swap function bogus_proc');
    expect(run.lines.some((l) => l.startsWith('bogus'))).to.equal(false);
    const numbers = run.lines.map((l) => /received: (\d+)/.exec(l)).filter((m) => m !== null).map((m) => Number(m![1]));
    const beforeClientSwap = numbers.filter((n) => n < 42);
    expect(beforeClientSwap).to.deep.equal(Array.from({ length: beforeClientSwap.length }, (_, i) => i + 1));
    const after = numbers.filter((n) => n >= 42);
    expect(after.length).to.be.greaterThan(0);
    expect(after).to.deep.equal(Array.from({ length: after.length }, (_, i) => 42 + 2 * i));
    const firstV2 = run.lines.findIndex((l) => l.startsWith('* received'));
    expect(firstV2).to.be.greaterThan(at('swapping server to server_proc2'));
    expect(run.lines.slice(0, at('swapping server to server_proc2')).every((l) => l.startsWith('received: '))).to.equal(true);
  });
});
