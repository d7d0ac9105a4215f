import { expect } from 'chai';
import { NodeService } from '../../../../actors/discoro/node/NodeService.js';
import { ServiceWindow } from '../../../../actors/discoro/node/ServiceWindow.js';

describe('NodeService', () => {
  it('without a window: always open, "in service", with the serve limit when there is one; no change to wait for', () => {
    expect(new NodeService(undefined, Date.now, -1).describe(0)).to.equal('in service');
    const limited = new NodeService(undefined, Date.now, 3);
    expect(limited.phase).to.equal('open');
    expect(limited.describe(1)).to.equal('in service; 1 of 3 computations served');
    expect(limited.check()).to.equal(undefined);
    expect(limited.msUntilChange()).to.equal(undefined);
  });

  it('check() follows the clock and reports each phase change once, with the previous phase; msUntilChange is a second past the next change', () => {
    let clock = new Date(2025, 0, 6, 7, 0).getTime();
    const service = new NodeService(ServiceWindow.from({ start: '08:00', stop: '17:00', end: '18:00' }), () => clock, -1);
    expect(service.check()).to.equal(undefined);
    expect(service.msUntilChange()).to.equal(3600_000 + 1000);
    const changes: string[] = [];
    for (const h of [8, 9, 17, 18]) {
      clock = new Date(2025, 0, 6, h, 0).getTime();
      const change = service.check();
      if (change !== undefined) changes.push(`${change.previous}→${change.phase}`);
    }
    expect(changes).to.deep.equal(['ended→open', 'open→stopped', 'stopped→ended']);
    expect(service.describe(0)).to.equal('outside service window, next start 08:00');
    clock = new Date(2025, 0, 6, 17, 59, 59, 500).getTime();
    expect(service.msUntilChange()).to.equal(1500);
  });
});
