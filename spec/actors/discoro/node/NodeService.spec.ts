import { expect } from 'chai';
import { NodeService } from '../../../../actors/discoro/node/NodeService.js';
import { ServiceWindow } from '../../../../actors/discoro/node/ServiceWindow.js';

describe('NodeService', () => {
  it('without a window: always open, "in service", with the serve limit when there is one', () => {
    expect(new NodeService(undefined, Date.now, -1).describe(0)).to.equal('in service');
    const limited = new NodeService(undefined, Date.now, 3);
    expect(limited.phase).to.equal('open');
    expect(limited.describe(1)).to.equal('in service; 1 of 3 computations served');
  });

  it('check() follows the clock and calls back once per phase change, with the previous phase', () => {
    let clock = new Date(2025, 0, 6, 7, 0).getTime();
    const service = new NodeService(ServiceWindow.from({ start: '08:00', stop: '17:00', end: '18:00' }), () => clock, -1);
    const changes: string[] = [];
    service.watch((phase, previous) => changes.push(`${previous}→${phase}`));
    try {
      service.check();
      expect(changes).to.deep.equal([]);
      for (const h of [8, 9, 17, 18]) {
        clock = new Date(2025, 0, 6, h, 0).getTime();
        service.check();
      }
      expect(changes).to.deep.equal(['ended→open', 'open→stopped', 'stopped→ended']);
      expect(service.describe(0)).to.equal('outside service window, next start 08:00');
    } finally {
      service.close();
    }
  });
});
