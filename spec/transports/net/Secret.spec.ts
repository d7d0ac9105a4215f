import { expect } from 'chai';
import { inspect } from 'node:util';
import { InvalidArgumentError, Network, newSecret, Scheduler, Secret, WeakSecretError } from '../../../index.js';
import { createLogger } from '../../../runtime/logging.js';
import { resolveOptions } from '../../../transports/net/peerOptions.js';
import { killAllPeerProcesses, networkFixture, PeerProcess } from '../../fixtures/index.js';
import { until } from '../../helpers.js';

describe('Secret: a secret that cannot be printed', () => {
  const fx = networkFixture();
  after(killAllPeerProcesses);

  it('a node process logging at debug never writes its secret, through peers coming, a wrong secret, and going', async function () {
    this.timeout(20_000);
    const secret = newSecret();
    const node = await PeerProcess.start({ secret, logLevel: 'debug' });
    try {
      const a = await fx.node({ secret });
      await a.peer(node.ready.location, { timeout: 5000 });
      const wrong = await fx.node({ secret: newSecret() });
      await wrong.peer(node.ready.location, { timeout: 5000 }).then(() => expect.fail('authenticated'), () => undefined);
      await a.stop();
      expect(await node.command({ cmd: 'peers' })).to.deep.equal({ peers: [] });
      // Its stderr is a pipe of its own: a line written before the answer on stdout may be read after it.
      const logged = (): string => node.stderr.join('\n');
      await until(() => logged().includes('peer online') && logged().includes('peer refused'), 5000, 'the node logging the peer online and the peer refused');
      const log = logged();
      for (const form of [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')]) expect(log).to.not.include(form);
    } finally {
      await node.kill();
    }
  });

  it('shows as [secret] through inspect, JSON (so pino and JSON IPC), String and template strings; reveal() gives a copy', () => {
    const text = newSecret();
    const secret = Secret.from(text);
    const holder = { options: { nested: { secret } } };
    const lines: string[] = [];
    createLogger({ level: 'info', pretty: false, destination: { write: (l: string) => void lines.push(l) } }).info({ holder }, 'holds a Secret');
    for (const shown of [inspect(holder, { depth: Infinity, showHidden: true }), JSON.stringify(holder), String(secret), `${secret}`, lines.join(''), structuredClone({ secret }) && JSON.stringify(structuredClone({ secret }))]) {
      expect(shown).to.not.include(text);
      expect(shown).to.not.include(Buffer.from(text).toString('hex'));
    }
    expect(JSON.stringify(holder)).to.equal('{"options":{"nested":{"secret":"[secret]"}}}');
    expect(inspect(secret)).to.equal('Secret [secret]');
    expect(secret.length).to.equal(Buffer.byteLength(text));
    const bytes = secret.reveal();
    expect(bytes.toString()).to.equal(text);
    bytes.fill(0);
    expect(secret.reveal().toString(), 'reveal gives a copy').to.equal(text);
    expect(secret.equals(Secret.from(Buffer.from(text)))).to.equal(true);
    expect(secret.equals(Secret.generate())).to.equal(false);
    expect(Secret.from(secret)).to.equal(secret);
    expect(Secret.generate().length).to.equal(32);
  });

  it('bad input is InvalidArgumentError: empty, not a string or bytes, a generated length out of range', () => {
    for (const bad of ['', Buffer.alloc(0), 42, null, {}]) expect(() => Secret.from(bad as string), String(bad)).to.throw(InvalidArgumentError);
    for (const bad of [8, 15, 2000, 1.5]) expect(() => Secret.generate(bad), String(bad)).to.throw(InvalidArgumentError);
  });

  it('Network.start takes a Secret: peers with the same secret, given as a Secret or as text, connect', async () => {
    const text = newSecret();
    const a = await fx.node({ secret: Secret.from(text) });
    const b = await fx.node({ secret: text });
    const peer = await b.peer(a.location, { timeout: 5000 });
    expect(peer.isOnline).to.equal(true);
    expect(inspect(a, { depth: Infinity, showHidden: true })).to.not.include(text);
  });

  it('beyond loopback, a secret shorter than 16 bytes is WeakSecretError (which never shows it); on loopback it is allowed', async () => {
    for (const weak of ['1', 'fifteen-bytes!!', Buffer.alloc(15, 1), Secret.from('short')]) {
      expect(() => resolveOptions({ host: '0.0.0.0', secret: weak }), String(weak)).to.throw(WeakSecretError, /at least 16/);
      try {
        resolveOptions({ host: '0.0.0.0', secret: 'hunter2' });
      } catch (err) {
        expect((err as Error).message).to.not.include('hunter2');
      }
    }
    expect(resolveOptions({ host: '0.0.0.0', secret: 'sixteen-bytes!!!' }).keys.mode).to.equal('psk');
    expect(resolveOptions({ host: '0.0.0.0', secret: Secret.generate(16) }).keys.mode).to.equal('psk');
    expect(resolveOptions({ host: ['127.0.0.1', '0.0.0.0'], secret: 'é'.repeat(8) }).keys.mode, '8 characters, 16 bytes').to.equal('psk');
    expect(resolveOptions({ secret: '1' }).keys.mode, 'loopback').to.equal('psk');
    const sched = new Scheduler();
    try {
      await Network.start(sched, { host: '0.0.0.0', secret: 'weak', discover: false }).then(() => expect.fail('started'), (err) => expect(WeakSecretError.is(err)).to.equal(true));
    } finally {
      await sched.terminate();
    }
  });
});
