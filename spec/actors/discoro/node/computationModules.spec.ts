import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ComponentError } from '../../../../actors/actorErrors.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
import { until } from '../../../helpers.js';
import type { Computation } from '../../../../actors/discoro/client/Computation.js';
import { discoroFixture, statusLog, type NodeProcess } from '../discoroFixture.js';

/** A component whose jobs import packages (and the node's own asyncoro and pino). */
const USES_PACKAGES = `
import { Coro, Scheduler } from 'asyncoro';
import pino from 'pino';
import { pad } from 'made-here';
import { shout } from 'packed-here';
import { beside } from 'beside-node';
export function padded(coro, text) { return pad(text, 8); }
export function shouted(coro, text) { return shout(text); }
export function besides(coro) { return beside(); }
export function runtime(coro) { return { sameCoro: coro instanceof Coro, scheduler: typeof Scheduler, pino: typeof pino }; }
`;

describe('discoro packages for jobs (a real discoronode)', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let deps: string;
  let node: NodeProcess;

  /** A package folder: package.json and an ES module index.js with `source`. */
  const makePackage = (where: string, name: string, source: string, extra: object = {}): string => {
    mkdirSync(where, { recursive: true });
    writeFileSync(path.join(where, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', ...extra }));
    writeFileSync(path.join(where, 'index.js'), source);
    return where;
  };
  /** `npm pack` of a package folder (no network), the tarball's path. */
  const pack = (folder: string): string => {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.dirname(folder)], { cwd: folder, env: { ...process.env, npm_config_offline: 'true' } });
    return path.join(path.dirname(folder), String(out).trim().split('\n').pop()!);
  };
  const computationFolders = (n: NodeProcess): string[] => (existsSync(n.dir) ? readdirSync(n.dir).filter((f) => f.startsWith('c-')) : []);

  before(async () => {
    // Installed beside the node, as npm install --prefix deps would: a package and its own dependency.
    deps = path.join(fx.dir, 'deps');
    makePackage(path.join(deps, 'node_modules', 'beside-dep'), 'beside-dep', 'export const word = "beside";\n');
    makePackage(path.join(deps, 'node_modules', 'beside-node'), 'beside-node', 'import { word } from "beside-dep";\nexport function beside() { return `${word} the node`; }\n');
    makePackage(path.join(deps, 'node_modules', 'made-here'), 'made-here', 'export function pad() { return "the node\'s made-here"; }\n');
    node = await fx.node(['--modules', deps]);
  });
  after(() => fx.cleanup());

  it('a job imports a package shipped as a folder, one shipped as an npm pack tarball, one installed beside the node (--modules, with its own dependency), and the node\'s own asyncoro (the server\'s very runtime) and pino', async () => {
    const made = makePackage(path.join(fx.dir, 'made'), 'made-here', 'export function pad(text, n) { return text.padStart(n, "."); }\n');
    const packed = pack(makePackage(path.join(fx.dir, 'packed'), 'packed-here', 'export function shout(text) { return text.toUpperCase() + "!"; }\n'));
    const c = fx.computation({ components: [fx.component('uses.mjs', USES_PACKAGES), { package: made }, { package: packed }], nodes: [node.location] });
    expect(await c.schedule({ timeout: 20_000 })).to.equal(true);
    expect(await c.runResult('padded', 'ab')).to.equal('......ab'); // the shipped made-here wins over the node's
    expect(await c.runResult('shouted', 'hey')).to.equal('HEY!');
    expect(await c.runResult('besides')).to.equal('beside the node');
    expect(await c.runResult('runtime')).to.deep.equal({ sameCoro: true, scheduler: 'function', pino: 'function' });
    await c.close();
  });

  it('a package a computation ships is for its jobs only: another computation on the node does not see it', async () => {
    const mine = makePackage(path.join(fx.dir, 'mine'), 'only-mine', 'export const mine = 1;\n');
    const a = fx.computation({ components: [fx.component('a.mjs', 'import { mine } from "only-mine";\nexport function which() { return mine; }\n'), { package: mine }], nodes: [node.location], nodeAllocations: [{ node: '*', cpus: 1 }] });
    expect(await a.schedule({ timeout: 20_000 })).to.equal(true);
    expect(await a.runResult('which')).to.equal(1);
    const b = fx.computation({ components: [fx.component('b.mjs', 'export async function which() { return import("only-mine").then(() => "found", (e) => e.code); }\n')], nodes: [node.location], nodeAllocations: [{ node: '*', cpus: 1 }] });
    expect(await b.schedule({ timeout: 20_000 })).to.equal(true);
    expect(await b.runResult('which')).to.equal('ERR_MODULE_NOT_FOUND');
    await Promise.all([a.close(), b.close()]);
  });

  /** schedule() of a computation that must fail: its error, and the node's folder left with no computation. */
  const failedSchedule = async (c: Computation, at: NodeProcess): Promise<Error> => {
    const log = statusLog(c);
    const err = (await c.schedule({ timeout: 20_000 }).catch((e: Error) => e)) as Error;
    expect(err).to.be.instanceOf(Error);
    await log.until((s) => s.kind === 'computation-closed');
    await until(() => computationFolders(at).length === 0, 10_000); // the node closes it by itself
    expect(computationFolders(at)).to.deep.equal([]);
    return err;
  };

  it('an import that cannot be resolved: schedule() rejects with a ComponentError naming the package, the component and the node; nothing is left on the node', async () => {
    const c = fx.computation({ components: [fx.component('needs.mjs', 'import leftPad from "left-pad-nowhere";\nexport const f = () => leftPad;\n')], nodes: [node.location] });
    const err = await failedSchedule(c, node);
    expect(ComponentError.is(err), String(err)).to.equal(true);
    expect(err.message).to.include("package 'left-pad-nowhere' cannot be resolved").and.include('component needs.mjs').and.include(`node ${node.name}`).and.include('--modules');
    const nested = makePackage(path.join(fx.dir, 'nested'), 'needs-more', 'export { x } from "missing-dep";\n');
    const d = fx.computation({ components: [fx.component('top.mjs', 'export { x } from "needs-more";\n'), { package: nested }], nodes: [node.location] });
    const inner = await failedSchedule(d, node);
    expect(inner.message).to.include("package 'missing-dep' cannot be resolved (imported from node_modules/needs-more/index.js)").and.include('component top.mjs');
  });

  it('a tarball with a link in it is refused by the client (InvalidArgumentError); one over the node\'s --max-package-size by the node: ComponentError naming the package, its component and the node; nothing is left', async () => {
    const small = await fx.node(['--max-package-size', '2k']);
    const header = (name: string, type: string, size: number, link = ''): Buffer => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write('0000644\0', 100);
      h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
      h.write(type, 156);
      h.write(link, 157);
      h.write('ustar\0', 257);
      h.fill(' ', 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
      return h;
    };
    const json = Buffer.from(JSON.stringify({ name: 'linky', version: '1.0.0' }));
    const manifest = Buffer.concat([header('package/package.json', '0', json.length), json, Buffer.alloc(512 - json.length)]);
    const linky = path.join(fx.dir, 'linky-1.0.0.tgz');
    writeFileSync(linky, gzipSync(Buffer.concat([manifest, header('package/passwd', '2', 0, '/etc/passwd'), Buffer.alloc(1024)])));
    expect(() => fx.computation({ components: [{ package: linky }], nodes: [small.location] })).to.throw(InvalidArgumentError, /linky-1\.0\.0\.tgz is not a packed package: entry "package\/passwd" is a link/);
    const big = pack(makePackage(path.join(fx.dir, 'big'), 'big-one', `export const blob = "${'x'.repeat(4000)}";\n`));
    const d = fx.computation({ components: [{ package: big }], nodes: [small.location] });
    const tooBig = await failedSchedule(d, small);
    expect(ComponentError.is(tooBig), String(tooBig)).to.equal(true);
    expect(tooBig.message).to.include(small.name);
    expect(tooBig.message).to.include('package big-one (component big-one-1.0.0.tgz) could not be installed at node').and.include('unpacks to more than 2048 bytes');
  });

  it('a file over the node\'s --max-file-size: ComponentError naming the component, its file and the node; a file that is gone by schedule() too', async () => {
    const limited = await fx.node(['--max-file-size', '100k']);
    const data = path.join(fx.dir, 'data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'big.bin'), Buffer.alloc(300 * 1024));
    const c = fx.computation({ components: [data], nodes: [limited.location] });
    const err = await failedSchedule(c, limited);
    expect(ComponentError.is(err), String(err)).to.equal(true);
    expect(err.message).to.include(`component ${data} (its file big.bin) could not be shipped to node ${limited.name} at ${limited.location}`).and.include('307200 bytes').and.include('exceeds the limit of 102400 bytes');
    const gone = fx.component('gone.txt', 'soon gone');
    const d = fx.computation({ components: [gone], nodes: [limited.location] });
    execFileSync('rm', [gone]);
    const unreadable = await failedSchedule(d, limited);
    expect(unreadable.message).to.include(`component ${gone} could not be shipped to node ${limited.name}`).and.include('ENOENT');
  });
});
