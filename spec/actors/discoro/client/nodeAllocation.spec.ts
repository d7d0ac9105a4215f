import { expect } from 'chai';
import { allocate, checkAllocations } from '../../../../actors/discoro/client/nodeAllocation.js';
import type { NodeInfo } from '../../../../actors/discoro/protocol.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';

const node = (over: Partial<NodeInfo> = {}): NodeInfo => ({
  name: 'worker-1', location: '10.0.0.5:9706', cpus: 8, freeCpus: 8, platform: 'linux-x64 (box)', host: 'box', service: 'in service',
  avail: { location: '10.0.0.5:9706', cpuLoad: 0, freeMemory: 0, freeDisk: undefined }, ...over,
});

describe('nodeAllocation', () => {
  it('checkAllocations: none is []; rules pass through; bad rules are InvalidArgumentError', () => {
    expect(checkAllocations(undefined)).to.deep.equal([]);
    const rules = [{ node: '10.0.0.*', cpus: 2 }, { platform: 'linux' }];
    expect(checkAllocations(rules)).to.equal(rules);
    for (const bad of ['x', [null], [5], [{ node: 5 }], [{ platform: 7 }], [{ cpus: 1.5 }], [{ cpus: '2' }]]) {
      expect(() => checkAllocations(bad), JSON.stringify(bad)).to.throw(InvalidArgumentError);
    }
  });

  // Once a bug (fixed in 2e9e74a): the RegExp constructor's SyntaxError escaped instead.
  it('an invalid platform pattern is InvalidArgumentError', () => {
    expect(() => checkAllocations([{ platform: '(' }])).to.throw(InvalidArgumentError);
  });

  it('allocate: no rule, or a matching rule without cpus, gives every cpu', () => {
    expect(allocate([], node())).to.equal(8);
    expect(allocate([{ node: 'worker-*' }], node())).to.equal(8);
  });

  it('allocate: the first rule whose node glob (host, location or name) and platform match decides', () => {
    expect(allocate([{ node: '10.0.0.5', cpus: 3 }], node())).to.equal(3);
    expect(allocate([{ node: '10.0.0.5:9706', cpus: 2 }], node())).to.equal(2);
    expect(allocate([{ node: 'WORKER-?', cpus: 1 }, { cpus: 4 }], node())).to.equal(4); // '?' is literal: no match
    expect(allocate([{ node: 'other', cpus: 1 }, { platform: 'LINUX', cpus: 5 }], node())).to.equal(5);
    expect(allocate([{ platform: 'darwin', cpus: 1 }], node())).to.equal(8);
  });

  it('allocate: cpus above the node\'s are capped; 0 gives none; a negative count leaves that many unused', () => {
    expect(allocate([{ cpus: 100 }], node())).to.equal(8);
    expect(allocate([{ cpus: 0 }], node())).to.equal(0);
    expect(allocate([{ cpus: -2 }], node())).to.equal(-2);
    expect(allocate([{ cpus: -8 }], node())).to.equal(0);
  });
});
