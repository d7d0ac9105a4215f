import { expect } from 'chai';
import os from 'node:os';
import { nodeAvailability } from '../../../../actors/discoro/node/nodeAvailability.js';

describe('nodeAvailability', () => {
  it('reports the location, load per cpu in percent, free memory and the free disk below the folder', async () => {
    const a = await nodeAvailability('127.0.0.1:9706', os.tmpdir());
    expect(a.location).to.equal('127.0.0.1:9706');
    expect(a.cpuLoad).to.be.a('number').and.at.least(0);
    expect(Math.round(a.cpuLoad * 10)).to.equal(a.cpuLoad * 10); // one decimal
    expect(a.freeMemory).to.be.above(0).and.at.most(os.totalmem());
    expect(a.freeDisk).to.be.a('number').and.above(0);
  });

  it('a folder whose disk cannot be read gives an undefined freeDisk, not an error', async () => {
    const a = await nodeAvailability('x:1', '/no/such/folder/anywhere');
    expect(a.freeDisk).to.equal(undefined);
    expect(a.freeMemory).to.be.above(0);
  });
});
