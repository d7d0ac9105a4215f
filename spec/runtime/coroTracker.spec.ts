import { expect } from 'chai';
import { AsyncLocalStorage } from 'node:async_hooks';
import { currentTracker, enableTracker } from '../../runtime/coroTracker.js';
import { killAllScripts, runScript } from '../fixtures/index.js';

describe('coroTracker', function () {
  this.timeout(15_000);
  after(killAllScripts);

  it('in a fresh process: none until a scheduler asks for tracking, then one tracker for good', async () => {
    const { lines, code, stderr } = await runScript(`
      import { currentTracker, enableTracker } from '../../runtime/coroTracker.js';
      import { Scheduler } from '../../runtime/Scheduler.js';
      const say = (v) => console.log(JSON.stringify(v));
      say(currentTracker() === undefined);
      const plain = new Scheduler();
      say([plain.tracker === undefined, currentTracker() === undefined]);
      const tracked = new Scheduler({ trackCurrent: true });
      const t = currentTracker();
      say([t !== undefined, tracked.tracker === t, enableTracker() === t]);
      const other = new Scheduler({ trackCurrent: true });
      say(other.tracker === t);
      await Promise.all([plain.terminate(), tracked.terminate(), other.terminate()]);
      say(currentTracker() === t);
    `);
    expect(code, stderr).to.equal(0);
    expect(lines.map((l) => JSON.parse(l))).to.deep.equal([true, [true, true], [true, true, true], true, true]);
  });

  it('enableTracker returns the same AsyncLocalStorage every time, and currentTracker then has it', () => {
    const t = enableTracker();
    expect(t).to.be.instanceOf(AsyncLocalStorage);
    expect(enableTracker()).to.equal(t);
    expect(currentTracker()).to.equal(t);
    expect(t.run('inside', () => currentTracker()!.getStore())).to.equal('inside');
  });
});
