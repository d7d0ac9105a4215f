import { expect } from 'chai';
import net from 'node:net';
import { closeListeners, listen } from '../../../transports/net/peerDialer.js';

describe('peerDialer: closeListeners', () => {
  it('resolves once every listener has closed; an open connection holds it only up to the bound', async () => {
    expect(await closeListeners([], 1000)).to.equal(undefined);
    const kept: net.Socket[] = [];
    const a = await listen('127.0.0.1', 0, (s) => void kept.push(s));
    const b = await listen('127.0.0.1', 0, (s) => void kept.push(s));
    await closeListeners([a, b], 5000);
    expect(a.listening || b.listening).to.equal(false);

    const c = await listen('127.0.0.1', 0, (s) => void kept.push(s));
    const client = net.connect((c.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const t0 = performance.now();
    await closeListeners([c], 100); // the connection stays open: the bound ends the wait
    expect(performance.now() - t0).to.be.at.least(90);
    expect(c.listening).to.equal(false);
    client.destroy();
    for (const s of kept) s.destroy();
  });
});
