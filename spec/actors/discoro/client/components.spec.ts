import { expect } from 'chai';
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
    expect(r.files).to.deep.equal([[mod, ''], [data, ''], [path.join(pkg, 'index.js'), 'pkg'], [path.join(pkg, 'lib', 'util.js'), 'pkg/lib']]);
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
});
