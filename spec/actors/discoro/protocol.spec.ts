import { expect } from 'chai';
import { CLIENT_EVENT, jobRciName, NodeRequests } from '../../../actors/discoro/protocol.js';

describe('protocol', () => {
  it('request types are distinct, discoro-prefixed, and apart from the client event', () => {
    const types = [...Object.values(NodeRequests), CLIENT_EVENT];
    expect(new Set(types).size).to.equal(types.length);
    for (const t of types) expect(t).to.match(/^discoro-[a-z]+$/);
  });

  it('jobRciName: one RCI name per computation', () => {
    expect(jobRciName('c1')).to.equal('discoro-job:c1');
    expect(jobRciName('c1')).to.not.equal(jobRciName('c2'));
  });
});
