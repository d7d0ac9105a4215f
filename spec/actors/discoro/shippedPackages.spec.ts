import { expect } from 'chai';
import { isShippablePackageName, PACKAGES_DIR } from '../../../actors/discoro/shippedPackages.js';

describe('shippedPackages', () => {
  it('a package a computation may ship has an npm name (plain or scoped), which stays inside node_modules; asyncoro is the node\'s own', () => {
    for (const name of ['left-pad', '@acme/stats', 'a.b_c~d', 'x'.repeat(214)]) expect(isShippablePackageName(name), name).to.equal(true);
    for (const name of ['', '..', '../x', 'a/b', '@acme/../x', '@acme', 'Caps', ' space', '.hidden', '_under', 'x'.repeat(215), 'asyncoro', 5, null, undefined]) {
      expect(isShippablePackageName(name), String(name)).to.equal(false);
    }
    expect(PACKAGES_DIR).to.equal('node_modules'); // where Node resolves a bare import from
  });
});
