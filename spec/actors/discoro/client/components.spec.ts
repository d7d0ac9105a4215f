import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveComponents, shipFunction } from '../../../../actors/discoro/client/components.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';

describe('components', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'asyncoro-components-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  /** Compiles a shipped function the way a server does. */
  const revive = (source: string): ((...a: any[]) => any) => new Function(`"use strict"; return (${source});`)();

  it('shipFunction: arrows, function declarations, async functions and method shorthands all compile back', async () => {
    const obj = {
      twice(x: number) {
        return 2 * x;
      },
      async later(x: number) {
        return x + 1;
      },
    };
    async function asyncDecl(x: number): Promise<number> {
      return x * 3;
    }
    expect(revive(shipFunction((x: number) => x - 1).source)(5)).to.equal(4);
    expect(revive(shipFunction(asyncDecl).source)(2)).to.be.instanceOf(Promise);
    expect(await revive(shipFunction(asyncDecl).source)(2)).to.equal(6);
    const twice = shipFunction(obj.twice);
    expect(twice.name).to.equal('twice');
    expect(revive(twice.source)(21)).to.equal(42);
    expect(await revive(shipFunction(obj.later).source)(1)).to.equal(2);
    expect(() => shipFunction(Math.max)).to.throw(InvalidArgumentError, /native/);
  });

  it('resolveComponents: files go to the top, a folder keeps its name and its index module; functions are shipped', () => {
    const mod = path.join(dir, 'tool.mjs');
    writeFileSync(mod, 'export const x = 1;');
    const data = path.join(dir, 'data.txt');
    writeFileSync(data, 'x');
    const pkg = path.join(dir, 'pkg');
    mkdirSync(path.join(pkg, 'lib'), { recursive: true });
    mkdirSync(path.join(pkg, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(path.join(pkg, '.git'));
    writeFileSync(path.join(pkg, 'index.js'), '');
    writeFileSync(path.join(pkg, 'lib', 'util.js'), '');
    writeFileSync(path.join(pkg, 'node_modules', 'dep', 'x.js'), '');
    writeFileSync(path.join(pkg, '.git', 'HEAD'), '');
    function job(n: number): number {
      return n;
    }
    const r = resolveComponents([mod, data, pkg, job]);
    expect(r.files).to.deep.equal([[mod, '', mod], [data, '', data], [path.join(pkg, 'index.js'), 'pkg', pkg], [path.join(pkg, 'lib', 'util.js'), 'pkg/lib', pkg]]);
    expect(r.modules).to.deep.equal(['tool.mjs', 'pkg/index.js']);
    expect(r.sources.map((s) => s.name)).to.deep.equal(['job']);
  });

  it('resolveComponents: refuses missing paths, nameless functions, clashing names and bad input with InvalidArgumentError', () => {
    const a = path.join(dir, 'a');
    mkdirSync(path.join(a));
    writeFileSync(path.join(a, 'same.js'), '');
    const b = path.join(dir, 'b');
    mkdirSync(path.join(b, 'deeper'), { recursive: true });
    writeFileSync(path.join(b, 'same.js'), '');
    writeFileSync(path.join(b, 'deeper', 'same.js'), '');
    expect(() => resolveComponents([path.join(a, 'same.js'), path.join(b, 'same.js')])).to.throw(InvalidArgumentError, /both be same.js/);
    expect(() => resolveComponents([b])).to.not.throw();
    for (const bad of [[path.join(dir, 'missing.js')], [''], [5], [(() => (x: number) => x)()]]) {
      expect(() => resolveComponents(bad as never), String(bad)).to.throw(InvalidArgumentError);
    }
    expect(() => resolveComponents('x' as never)).to.throw(InvalidArgumentError);
  });

  /** A package folder named `name` (its package.json and index.js) in the spec's folder. */
  const packageFolder = (folder: string, name: unknown): string => {
    const pkg = path.join(dir, folder);
    mkdirSync(path.join(pkg, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js' }));
    writeFileSync(path.join(pkg, 'index.js'), 'export const answer = 42;\n');
    writeFileSync(path.join(pkg, 'node_modules', 'dep', 'index.js'), '');
    return pkg;
  };

  it('resolveComponents: a package folder goes to node_modules/<its name> (without its own node_modules), a tarball to be extracted there by the node', () => {
    const folder = packageFolder('stats-src', '@acme/stats');
    const packed = packageFolder('pad-src', 'left-pad');
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: packed, env: { ...process.env, npm_config_offline: 'true' } });
    const tgz = path.join(dir, 'left-pad-1.0.0.tgz');
    const r = resolveComponents([{ package: folder }, { package: tgz }]);
    expect(r.packages).to.deep.equal([
      { name: '@acme/stats', component: 'stats-src' },
      { name: 'left-pad', component: 'left-pad-1.0.0.tgz', tarball: 'node_modules/.tarballs/left-pad-1.0.0.tgz' },
    ]);
    expect(r.files).to.deep.equal([
      [path.join(folder, 'index.js'), 'node_modules/@acme/stats', folder],
      [path.join(folder, 'package.json'), 'node_modules/@acme/stats', folder],
      [tgz, 'node_modules/.tarballs', tgz],
    ]);
    expect(r.modules).to.deep.equal([]);
  });

  it('resolveComponents: a package that does not exist, is neither folder nor tarball, has no package.json or no name a computation may ship (asyncoro is the node\'s), is packed wrong, or is there twice: InvalidArgumentError', () => {
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'x');
    const fake = path.join(dir, 'fake.tgz');
    writeFileSync(fake, 'not gzip');
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const nm = path.join(dir, 'node_modules');
    mkdirSync(nm);
    const cases: Array<[unknown, RegExp]> = [
      [{ package: path.join(dir, 'missing') }, /does not exist/],
      [{ package: '' }, /a package component is/],
      [{ package: 5 }, /a package component is/],
      [{ package: text }, /neither a folder nor a \.tgz/],
      [{ package: fake }, /is not a packed package: not a gzipped tarball/],
      [{ package: empty }, /has no readable package\.json/],
      [{ package: packageFolder('bad-name', '../escape') }, /is not a package name/],
      [{ package: packageFolder('no-name', undefined) }, /is not a package name/],
      [{ package: packageFolder('own', 'asyncoro') }, /asyncoro is not shipped/],
      [nm, /holds its packages/],
    ];
    for (const [c, message] of cases) expect(() => resolveComponents([c as never]), JSON.stringify(c)).to.throw(InvalidArgumentError, message);
    const twice = packageFolder('twice', 'same-name');
    expect(() => resolveComponents([{ package: twice }, { package: packageFolder('twice-2', 'same-name') }])).to.throw(InvalidArgumentError, /both same-name/);
  });
});
