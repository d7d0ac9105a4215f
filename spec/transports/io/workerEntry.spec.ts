import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TaskMessage } from '../../../transports/io/workerEntry.js';

const ENTRY = fileURLToPath(new URL('../../../transports/io/workerEntry.js', import.meta.url));
/** A module of the build with named and default exports, for module tasks. */
const MODULE = new URL('../../../runtime/options.js', import.meta.url).href;

describe('workerEntry (a real worker thread)', function () {
  this.timeout(20_000);
  let worker: Worker;
  let nextId = 1;
  const replies = new Map<number, (reply: any) => void>();
  before(async () => {
    worker = new Worker(ENTRY);
    worker.on('message', (reply: { id: number }) => replies.get(reply.id)?.(reply));
    await new Promise<void>((resolve) => worker.once('online', () => resolve()));
  });
  after(async () => {
    await worker.terminate();
  });
  const run = (task: Omit<TaskMessage, 'id'>): Promise<any> => {
    const id = nextId++;
    return new Promise((resolve) => {
      replies.set(id, resolve);
      worker.postMessage({ id, ...task });
    });
  };

  it('runs a self-contained function from its source, sync or async, and replies with its value', async () => {
    const first = await run({ source: '(a, b) => a + b', args: [40, 2] });
    expect([first.ok, first.value]).to.deep.equal([true, 42]);
    expect((await run({ source: 'async (s) => s.toUpperCase()', args: ['hi'] })).value).to.equal('HI');
    expect((await run({ source: '(a, b) => a + b', args: ['x', 'y'] })).value).to.equal('xy'); // the same source again
  });

  it('runs a named export of a module (imported once) and its replies keep the task ids', async () => {
    const [a, b] = await Promise.all([
      run({ module: MODULE, name: 'checkTimeout', args: [undefined] }),
      run({ module: MODULE, name: 'describe', args: [5] }),
    ]);
    expect([a.ok, a.value]).to.deep.equal([true, Infinity]);
    expect([b.ok, b.value]).to.deep.equal([true, 'number 5']);
    expect(b.id).to.equal(a.id + 1);
  });

  it('replies with the error (name, message, code) when the function throws, or the module has no such export', async () => {
    const thrown = await run({ source: '() => { throw Object.assign(new RangeError("too far"), { code: "ERR_FAR" }); }', args: [] });
    expect(thrown.ok).to.equal(false);
    expect(thrown.error).to.deep.include({ name: 'RangeError', message: 'too far', code: 'ERR_FAR' });
    const rejected = await run({ source: 'async () => { throw "plain string"; }', args: [] });
    expect(rejected.error).to.deep.include({ name: 'Error', message: 'plain string', code: undefined });
    const missing = await run({ module: MODULE, name: 'noSuchExport', args: [] });
    expect(missing.error.name).to.equal('TypeError');
    expect(missing.error.message).to.match(/has no exported function noSuchExport/);
    const noDefault = await run({ module: MODULE, args: [] });
    expect(noDefault.error.message).to.match(/has no exported function default/);
  });
});
