import { expect } from 'chai';
import { CLIENT_EVENT, JOB_CORO_NAME, NodeRequests, ServerRequests, setupRciName } from '../../../actors/discoro/protocol.js';

describe('discoro protocol', () => {
  it('request types are distinct and named discoro-*', () => {
    const types = [...Object.values(NodeRequests), ...Object.values(ServerRequests), CLIENT_EVENT];
    expect(new Set(types).size).to.equal(types.length);
    for (const t of types) expect(t).to.match(/^discoro-/);
  });

  it('setupRciName: one RCI name per computation; jobs run as coroutines named JOB_CORO_NAME', () => {
    expect(setupRciName('c1')).to.equal('discoro-setup:c1');
    expect(setupRciName('c1')).to.not.equal(setupRciName('c2'));
    expect(JOB_CORO_NAME).to.equal('discoro-job');
  });
});
