import { expect } from 'chai';
import { inspect } from 'node:util';
import { listenOf, restartOf, threadListen } from '../../../actors/threads/groupOptions.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { newNodeId } from '../../../transports/net/hellos.js';
import { networkFixture } from '../../fixtures/index.js';

describe('groupOptions: a Threads group\'s options resolved', () => {
  const fx = networkFixture();

  it('restartOf: 3 in 5 s by default, false is never, given values are checked', () => {
    expect(restartOf(undefined)).to.deep.equal({ maxRestarts: 3, withinMs: 5000 });
    expect(restartOf(false)).to.equal(undefined);
    expect(restartOf({ maxRestarts: 0 })).to.deep.equal({ maxRestarts: 0, withinMs: 5000 });
    expect(restartOf({ withinMs: 100 })).to.deep.equal({ maxRestarts: 3, withinMs: 100 });
    for (const bad of [true, 3, null, { maxRestarts: -1 }, { withinMs: 0 }, { maxRestarts: 1.5 }]) expect(() => restartOf(bad as never), String(bad)).to.throw(InvalidArgumentError);
  });

  it('listenOf: a listening owner\'s threads listen on its addresses with its derived keys (never its secret), unless told not to', async () => {
    const owner = await fx.node({ host: '127.0.0.1', port: 0, secret: 'a secret of at least sixteen chars' });
    const listen = listenOf(owner, undefined)!;
    expect(listen.hosts).to.deep.equal(['127.0.0.1']);
    expect(listen.keys).to.not.equal(undefined);
    expect(JSON.stringify(listen)).to.not.include('a secret of at least sixteen chars');
    expect(listenOf(owner, false)).to.equal(undefined);
    expect(listenOf(owner, true)).to.deep.equal(listen);
  });

  it('listenOf keeps the keys in a holder that shows nothing; threadListen gives one thread plain copies of them', async () => {
    const owner = await fx.node({ host: '127.0.0.1', port: 0, secret: 'a secret of at least sixteen chars' });
    const listen = listenOf(owner, undefined)!;
    expect(inspect(listen, { showHidden: true, depth: Infinity })).to.include("KeyMaterial { mode: 'psk' }").and.not.include('Uint8Array');
    const forThread = threadListen(listen)!;
    expect(forThread.hosts).to.deep.equal(listen.hosts);
    expect([forThread.keys!.mac.length, forThread.keys!.psk!.length]).to.deep.equal([32, 32]);
    expect(threadListen(undefined)).to.equal(undefined);
  });

  it('listenOf: an owner that does not listen: its threads do not; told to, InvalidArgumentError', async () => {
    const owner = await fx.node({ name: 'owner.t', inProcess: { incarnation: newNodeId(), listen: false } });
    expect(listenOf(owner, undefined)).to.equal(undefined);
    expect(listenOf(owner, false)).to.equal(undefined);
    expect(() => listenOf(owner, true)).to.throw(InvalidArgumentError);
  });
});
