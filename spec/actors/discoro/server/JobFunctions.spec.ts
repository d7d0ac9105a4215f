import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JobFunctions } from '../../../../actors/discoro/server/JobFunctions.js';
import { ComponentError, UnknownJobFunctionError } from '../../../../actors/actorErrors.js';
import { expectError } from '../../../helpers.js';

describe('JobFunctions', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'asyncoro-jobs-'));
    writeFileSync(path.join(folder, 'first.mjs'), 'export function square(x) { return x * x; }\nexport const notAFunction = 5;\nexport function shared() { return "first"; }\n');
    writeFileSync(path.join(folder, 'second.mjs'), 'export function shared() { return "second"; }\n');
    writeFileSync(path.join(folder, 'broken.mjs'), 'export function (\n');
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  const manifest = (over: object = {}) => ({ modules: ['first.mjs', 'second.mjs'], sources: [{ name: 'cube', source: '(x) => x * x * x' }], ...over });

  it('resolves exported functions by name (the first module wins), then shipped ones', async () => {
    const fns = await JobFunctions.load(folder, manifest(), 'node-a');
    expect(fns.resolve({ name: 'square' })(4)).to.equal(16);
    expect(fns.resolve({ name: 'shared' })()).to.equal('first');
    expect(fns.resolve({ name: 'cube' })(2)).to.equal(8);
  });

  it('a job\'s own source runs when no component names it; an unknown name without source is UnknownJobFunctionError', async () => {
    const fns = await JobFunctions.load(folder, manifest(), 'node-a');
    const ref = { name: 'inline', source: 'async function inline(a, b) { return a + b; }' };
    expect(await fns.resolve(ref)(2, 3)).to.equal(5);
    expect(fns.resolve(ref)).to.equal(fns.resolve(ref)); // compiled once
    expect(fns.resolve({ name: '', source: '() => "anonymous"' })()).to.equal('anonymous');
    const err = await expectError(() => fns.resolve({ name: 'nowhere' }), UnknownJobFunctionError);
    expect(err.message).to.match(/nowhere.*node-a/);
    await expectError(() => fns.resolve({ name: 'notAFunction' }), UnknownJobFunctionError);
  });

  it('a module that fails to load, or shipped source that does not compile or is not a function, is ComponentError', async () => {
    await expectError(() => JobFunctions.load(folder, manifest({ modules: ['broken.mjs'] }), 'node-a'), ComponentError);
    await expectError(() => JobFunctions.load(folder, manifest({ modules: ['missing.mjs'] }), 'node-a'), ComponentError);
    await expectError(() => JobFunctions.load(folder, manifest({ sources: [{ name: 'bad', source: 'x =>' }] }), 'node-a'), ComponentError);
    await expectError(() => JobFunctions.load(folder, manifest({ sources: [{ name: 'num', source: '42' }] }), 'node-a'), ComponentError);
    const fns = await JobFunctions.load(folder, manifest(), 'node-a');
    await expectError(() => fns.resolve({ name: 'x', source: '{ not: code' }), ComponentError);
  });
});
