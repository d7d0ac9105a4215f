import { expect } from 'chai';
import { ComponentError } from '../../../../actors/actorErrors.js';
import { computationId, reserveBody, setupBody } from '../../../../actors/discoro/node/nodeRequestBodies.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';

describe('nodeRequestBodies', () => {
  it('computation ids name a folder: letters, digits, _ and -, at most 64', () => {
    expect(computationId('c-1f2e_x')).to.equal('c-1f2e_x');
    for (const bad of ['', '../up', 'a/b', 'x'.repeat(65), 7, null]) expect(() => computationId(bad), String(bad)).to.throw(InvalidArgumentError);
  });

  it('reserve: [id, integer cpus, positive zombie period or null, name?]; no name (an earlier client), the id', () => {
    expect(reserveBody(['c-1', -1, null])).to.deep.equal({ id: 'c-1', want: -1, zombiePeriod: null, name: 'c-1' });
    expect(reserveBody(['c-1', 2, 500, 'frames'])).to.deep.equal({ id: 'c-1', want: 2, zombiePeriod: 500, name: 'frames' });
    // A name cannot forge a line of the node's log or terminal.
    expect(reserveBody(['c-1', 2, 500, 'a\nb\u001b[2J'])).to.deep.include({ name: 'a b [2J' });
    expect(reserveBody(['c-1', 2, 500, '  '])).to.deep.include({ name: 'c-1' });
    for (const bad of [['c-1', 2], ['c-1', 1.5, null], ['c-1', 2, 0], ['c-1', '2', null], 'c-1', ['c-1', 2, null, 7], ['c-1', 2, null, 'x'.repeat(101)], ['c-1', 2, null, 'n', 'extra']]) {
      expect(() => reserveBody(bad), JSON.stringify(bad)).to.throw(InvalidArgumentError);
    }
  });

  it('setup: [id, manifest] whose modules stay inside the computation folder', () => {
    const manifest = { modules: ['work.mjs', 'lib/util.mjs'], sources: [] };
    expect(setupBody(['c-1', manifest])).to.deep.equal({ id: 'c-1', manifest });
    expect(() => setupBody(['c-1', { modules: [3], sources: [] }])).to.throw(InvalidArgumentError);
    expect(() => setupBody(['c-1', null])).to.throw(InvalidArgumentError);
    for (const rel of ['/etc/passwd.mjs', '../outside.mjs', 'lib/../../x.mjs']) expect(() => setupBody(['c-1', { modules: [rel], sources: [] }]), rel).to.throw(ComponentError);
  });

  it('setup: shipped packages have names a computation may ship (once each), and tarballs inside the computation folder', () => {
    const packages = [{ name: '@acme/stats', component: 'stats' }, { name: 'left-pad', component: 'left-pad-1.3.0.tgz', tarball: 'node_modules/.tarballs/left-pad-1.3.0.tgz' }];
    const manifest = { modules: [], sources: [], packages };
    expect(setupBody(['c-1', manifest])).to.deep.equal({ id: 'c-1', manifest });
    const malformed = [{ packages: 'x' }, { packages: [null] }, { packages: [{ name: 'a' }] }, { packages: [{ name: 'a', component: 'a', tarball: 5 }] }, { packages: Array.from({ length: 1001 }, (_, k) => ({ name: `p${k}`, component: 'p' })) }];
    for (const m of malformed) expect(() => setupBody(['c-1', { modules: [], sources: [], ...m }]), JSON.stringify(m).slice(0, 80)).to.throw(InvalidArgumentError);
    const refused = [
      [{ name: '../escape', component: 'x' }],
      [{ name: 'asyncoro', component: 'x' }],
      [{ name: 'Caps', component: 'x' }],
      [{ name: 'a', component: 'x' }, { name: 'a', component: 'y' }],
      [{ name: 'a', component: 'x', tarball: '../../outside.tgz' }],
      [{ name: 'a', component: 'x', tarball: '/etc/outside.tgz' }],
    ];
    for (const p of refused) expect(() => setupBody(['c-1', { modules: [], sources: [], packages: p }]), JSON.stringify(p)).to.throw(ComponentError);
  });
});
