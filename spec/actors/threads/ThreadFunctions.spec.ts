import { expect } from 'chai';
import { ThreadFunctionError } from '../../../actors/actorErrors.js';
import { ThreadFunctions } from '../../../actors/threads/ThreadFunctions.js';
import { THREAD_WORKERS } from '../../fixtures/index.js';
import { expectError } from '../../helpers.js';

const MODULES = new URL('../../fixtures/threadModules/', import.meta.url);

describe('ThreadFunctions', () => {
  const fns = new ThreadFunctions('thread-9.test');

  it('gets a module\'s exported function, importing the module once', async () => {
    const counts = new URL('countsImports.js', MODULES).href;
    const imports = await fns.get(counts, 'imports');
    const before = (await imports()) as number;
    await fns.get(counts, 'imports');
    expect(await (await fns.get(counts, 'imports'))()).to.equal(before);
    expect(typeof (await fns.get(THREAD_WORKERS.href, 'doubler'))).to.equal('function');
  });

  it('ThreadFunctionError names the module, the export and the thread: no such export, not a function, a module that does not load (every time)', async () => {
    const missing = await expectError(() => fns.get(THREAD_WORKERS.href, 'nope'), ThreadFunctionError);
    expect(missing.message).to.equal(`cannot load 'nope' from ${THREAD_WORKERS.href} on thread-9.test: no such export`);
    expect((await expectError(() => fns.get(THREAD_WORKERS.href, 'notAFunction'), ThreadFunctionError)).message).to.include('the export is a number');
    expect((await expectError(() => fns.get(THREAD_WORKERS.href, 'constructor'), ThreadFunctionError)).message).to.include('no such export');
    const broken = new URL('throwsOnImport.js', MODULES).href;
    for (let i = 0; i < 2; i++) {
      const err = await expectError(() => fns.get(broken, 'never'), ThreadFunctionError);
      expect(err.message).to.include(broken).and.include('this module refuses to load');
      expect((err.cause as Error).message).to.equal('this module refuses to load');
    }
  });
});
