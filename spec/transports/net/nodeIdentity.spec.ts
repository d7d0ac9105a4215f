import { expect } from 'chai';
import { newNodeId, PROTOCOL_VERSION } from '../../../transports/net/nodeIdentity.js';
import { PROTOCOL_VERSION as SPOKEN, newNodeId as fromHandshake } from '../../../transports/net/handshake.js';

describe('nodeIdentity', () => {
  it('a node id is 32 hex digits, fresh at every call', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newNodeId()));
    expect(ids.size).to.equal(1000);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{32}$/);
  });

  it('the handshake speaks the same version and makes ids the same way', () => {
    expect(SPOKEN).to.equal(PROTOCOL_VERSION);
    expect(PROTOCOL_VERSION.major).to.be.a('number');
    expect(fromHandshake).to.equal(newNodeId);
  });
});
