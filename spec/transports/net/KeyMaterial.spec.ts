import { expect } from 'chai';
import { inspect } from 'node:util';
import { KeyMaterial, wipeMaterial } from '../../../transports/net/KeyMaterial.js';

describe('KeyMaterial: derived keys held for worker threads, out of sight', () => {
  const mac = new Uint8Array(32).fill(0xab), psk = new Uint8Array(32).fill(0xcd);

  it('shows only its mode (inspect with hidden fields, JSON), and keeps its own copies', () => {
    const held = new KeyMaterial('psk', mac, psk);
    expect(inspect(held, { showHidden: true, depth: Infinity })).to.equal("KeyMaterial { mode: 'psk' }");
    expect(JSON.stringify({ held })).to.equal('{"held":{"mode":"psk"}}');
    const given = new Uint8Array(mac);
    const own = new KeyMaterial('plain', given, undefined);
    given.fill(0);
    expect(own.forThread().mac.every((b) => b === 0xab), 'a change to the bytes it was given does not reach it').to.equal(true);
  });

  it('forThread gives fresh copies each time; wiping one leaves the holder and the others intact', () => {
    const held = new KeyMaterial('psk', mac, psk);
    const a = held.forThread(), b = held.forThread();
    expect(a.mac).to.not.equal(b.mac);
    wipeMaterial(a);
    expect([a.mac.every((x) => x === 0), a.psk!.every((x) => x === 0)]).to.deep.equal([true, true]);
    expect([b.mac[0], b.psk![0], held.forThread().psk![0]]).to.deep.equal([0xab, 0xcd, 0xcd]);
    const plain = new KeyMaterial('plain', mac, undefined).forThread();
    expect(plain.psk).to.equal(undefined);
    wipeMaterial(plain); // no psk: nothing else to wipe
    expect(plain.mac.every((x) => x === 0)).to.equal(true);
  });
});
