import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import { ProtocolError } from '../../../transports/net/netErrors.js';
import { PortLink } from '../../../transports/net/PortLink.js';
import type { PeerLinkEvents } from '../../../transports/net/PeerLink.js';
import { turn, until } from '../../helpers.js';

/** Both ends of a real MessageChannel (one thread is enough: ports are ports), recording what each end gets. */
function pair(options: { hold?: () => boolean; control?: (m: unknown) => void; remoteClosed?: () => void } = {}) {
  const { port1, port2 } = new MessageChannel();
  const got = { a: [] as unknown[], b: [] as unknown[], closedA: [] as Array<Error | undefined>, closedB: [] as Array<Error | undefined> };
  const events = (frames: unknown[], closed: Array<Error | undefined>): PeerLinkEvents => ({ frame: (m) => void frames.push(m), closed: (e) => void closed.push(e) });
  const a = new PortLink(port1, { initiator: true, judgesSilence: true }, events(got.a, got.closedA));
  const b = new PortLink(port2, { initiator: false, judgesSilence: false, ...options }, events(got.b, got.closedB));
  return { a, b, got, port1, port2 };
}

describe('PortLink (a peer link over a real MessagePort)', () => {
  it('sends the first message of a turn at once and the rest together, in order, as values; numbers each request type after its first use', async () => {
    const { a, b, got, port1 } = pair();
    const posted: unknown[] = [];
    const post = port1.postMessage.bind(port1);
    port1.postMessage = ((...args: Parameters<typeof post>) => (posted.push(args[0]), post(...args))) as typeof port1.postMessage;
    a.write([0, 0, 'send', { n: 1 }]);
    a.write([0, 5, 'send', [1, 2]]);
    a.write([0, 0, 'other', null]);
    a.write([2]);
    await until(() => got.b.length === 4);
    expect(posted.length).to.equal(2);
    // Flat arrays, no array per message: a short array body is spread into it; 'send' travels by name once, then as its number.
    expect(posted).to.deep.equal([[0, 0, 'send', -1, { n: 1 }], [0, 5, 0, 2, 1, 2, 0, 0, 'other', -1, null, 2, undefined, undefined, -1, undefined]]);
    // A run of one-way requests of one type with bodies of one length: two slots a message.
    a.write([0, 0, 'send', [1, 'x']]);
    a.write([0, 0, 'send', [2, 'y']]);
    a.write([0, 0, 'send', [3, 'z']]);
    a.write([0, 0, 'send', []]);
    await until(() => got.b.length === 8);
    expect(posted.slice(2)).to.deep.equal([[-2, 0, 2, 1, 1, 'x'], [-2, 0, 2, 2, 2, 'y', 3, 'z', -2, 0, 0, 1]]);
    expect(got.b.slice(4)).to.deep.equal([[0, 0, 'send', [1, 'x']], [0, 0, 'send', [2, 'y']], [0, 0, 'send', [3, 'z']], [0, 0, 'send', []]]);
    expect(got.b.slice(0, 4)).to.deep.equal([[0, 0, 'send', { n: 1 }], [0, 5, 'send', [1, 2]], [0, 0, 'other', null], [2, undefined, undefined, undefined]]);
    expect([a.framesOut, b.framesIn]).to.deep.equal([8, 8]);
    expect([a.initiator, b.initiator, a.judgesSilence, b.judgesSilence, a.clones, a.inProcess]).to.deep.equal([true, false, true, false, true, true]);
    a.close();
    await until(() => got.closedB.length === 1);
  });

  it('with a request event, one-way requests come to it one body at a time (no message array built around each); request() queues one as write() does; other messages come as frames', async () => {
    const { port1, port2 } = new MessageChannel();
    const frames: unknown[] = [], requests: unknown[] = [];
    const a = new PortLink(port1, { initiator: true, judgesSilence: true }, { frame: () => undefined, closed: () => undefined });
    const b = new PortLink(port2, { initiator: false, judgesSilence: false }, { frame: (m) => void frames.push(m), request: (type, body) => void requests.push([type, body]), closed: () => undefined });
    a.write([0, 0, 'tell', [1, 'x']]); // alone: a run of one
    a.write([0, 0, 'tell', [2, { y: 1 }]]);
    a.write([0, 0, 'tell', [3, 'z']]);
    a.write([0, 0, 'tell', [4, 'w', 'three']]);
    a.write([0, 0, 'tell', [5, 'v', 'three']]);
    a.write([0, 7, 'tell', [6, 'asked']]);
    a.request('tell', [7, 'direct']);
    a.request('other', { not: 'spread' });
    await until(() => frames.length + requests.length === 8);
    expect(requests.splice(5)).to.deep.equal([['tell', [7, 'direct']], ['other', { not: 'spread' }]]);
    expect(requests).to.deep.equal([['tell', [1, 'x']], ['tell', [2, { y: 1 }]], ['tell', [3, 'z']], ['tell', [4, 'w', 'three']], ['tell', [5, 'v', 'three']]]);
    expect(frames).to.deep.equal([[0, 7, 'tell', [6, 'asked']]]);
    expect([a.framesOut, b.framesIn]).to.deep.equal([8, 8]);
    a.close();
    b.close();
  });

  it('a graceful close delivers what was queued, then the other end sees the close (no error)', async () => {
    const { a, got } = pair();
    a.write([0, 0, 'last words', 'bye']);
    a.close();
    expect(a.closed).to.equal(true);
    await until(() => got.closedB.length === 1);
    expect(got.b).to.deep.equal([[0, 0, 'last words', 'bye']]);
    expect(got.closedA).to.deep.equal([undefined]);
    expect(got.closedB).to.deep.equal([undefined]);
    a.write([0, 0, 'after', 1]); // ignored
  });

  it('dropping a link (close with an error) reports the error at this end', async () => {
    const { b, got } = pair();
    b.close(new Error('dropped'), false);
    expect(got.closedB.map((e) => e?.message)).to.deep.equal(['dropped']);
    await until(() => got.closedA.length === 1);
  });

  it('post() reaches the other end\'s control in order with the messages; without a control it drops the link', async () => {
    const controls: unknown[] = [];
    const { a, b, got } = pair({ control: (m) => void controls.push([got.b.length, m]) });
    a.write([0, 0, 'before', 1]);
    expect(a.post({ kind: 'link' })).to.equal(true);
    a.write([0, 0, 'after', 2]);
    await until(() => got.b.length === 2);
    expect(controls).to.deep.equal([[1, { kind: 'link' }]]);
    b.post({ kind: 'no control at a' });
    await until(() => got.closedA.length === 1);
    expect(got.closedA[0]).to.be.instanceOf(ProtocolError);
  });

  it('a malformed post (a count that does not fit) drops the link with ProtocolError', async () => {
    const { port1, got } = pair();
    port1.postMessage([0, 0, 'x', 3, 'only one']);
    await until(() => got.closedB.length === 1);
    expect(got.closedB[0]).to.be.instanceOf(ProtocolError);
  });

  it('an unknown request type index drops the link with ProtocolError', async () => {
    const { port1, got } = pair();
    port1.postMessage([0, 0, 7, -1, null]);
    await until(() => got.closedB.length === 1);
    expect(got.closedB[0]).to.be.instanceOf(ProtocolError);
  });

  it('does not read the port while hold() is true: the messages wait in the port, then come in order', async () => {
    let hold = true;
    const { a, got } = pair({ hold: () => hold });
    a.write([0, 0, 't', 1]);
    await until(() => got.b.length === 1);
    a.write([0, 0, 't', 2]);
    a.write([0, 0, 't', 3]);
    for (let i = 0; i < 5; i++) await turn();
    expect(got.b.length, 'held back').to.equal(1);
    hold = false;
    await until(() => got.b.length === 3);
    expect(got.b.map((m) => (m as unknown[])[3])).to.deep.equal([1, 2, 3]);
    a.close();
  });

  it('remoteClosed: the other end closing is reported to it instead of ending the link, which its owner then ends with the reason', async () => {
    let told = 0;
    const { a, b, got } = pair({ remoteClosed: () => void told++ });
    a.close();
    await until(() => told === 1);
    expect(b.closed).to.equal(false);
    b.close(new Error('the thread exited with code 3'), false);
    expect(got.closedB.map((e) => e?.message)).to.deep.equal(['the thread exited with code 3']);
  });
});
