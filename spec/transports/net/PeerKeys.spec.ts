import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { PeerKeys } from '../../../transports/net/PeerKeys.js';

const tls = (name: string): string => readFileSync(new URL(`../../../../spec/fixtures/tls/${name}`, import.meta.url), 'utf8');

describe('PeerKeys: what a node hands its worker threads', () => {
  it('material(): the derived keys, never the secret; a thread\'s keys made from them prove the same secret', () => {
    const keys = PeerKeys.from('the shared secret', undefined);
    const held = keys.material()!;
    expect(held.mode).to.equal('psk');
    expect(inspect(held, { showHidden: true, depth: Infinity })).to.equal("KeyMaterial { mode: 'psk' }");
    expect(JSON.stringify(held)).to.equal('{"mode":"psk"}');
    const material = held.forThread();
    expect(Buffer.from(material.mac).toString('utf8')).to.not.include('shared secret');
    const thread = PeerKeys.fromMaterial(material);
    // The posted copy is wiped once read (a thread's workerData would keep it for its life); the holder's is not.
    expect([material.mac.every((b) => b === 0), material.psk!.every((b) => b === 0)]).to.deep.equal([true, true]);
    expect(PeerKeys.fromMaterial(held.forThread()).macKey().equals(keys.macKey())).to.equal(true);
    expect(thread.mode).to.equal('psk');
    expect(thread.hasSecret).to.equal(true);
    expect(thread.macKey().equals(keys.macKey())).to.equal(true);
    expect(inspect(thread)).to.equal("PeerKeys { mode: 'psk' }");
    const plain = PeerKeys.fromMaterial(PeerKeys.from(undefined, undefined).material()!.forThread());
    expect([plain.mode, plain.hasSecret]).to.deep.equal(['plain', false]);
  });

  it('certificate TLS has no material: its private key stays in its secure context', () => {
    const keys = PeerKeys.from(undefined, { cert: tls('cert.pem'), key: tls('key.pem'), ca: tls('cert.pem') });
    expect(keys.material()).to.equal(undefined);
  });

  it('malformed material is InvalidArgumentError', () => {
    const good = PeerKeys.from('s', undefined).material()!.forThread();
    for (const bad of [null, {}, { ...good, mac: new Uint8Array(3) }, { ...good, mode: 'certificate' }, { ...good, psk: undefined }, { mode: 'plain', mac: good.mac, psk: good.psk }]) {
      expect(() => PeerKeys.fromMaterial(bad as never), JSON.stringify(bad)).to.throw(InvalidArgumentError);
    }
  });
});
