import { expect } from 'chai';
import { UnknownJobFunctionError } from '../../../../actors/actorErrors.js';
import type { Computation } from '../../../../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../../../../actors/discoro/client/discoroStatus.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import { CoroTerminatedError, InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';
import { turn, until } from '../../../helpers.js';
import { discoroFixture, statusLog, WORK, type NodeProcess } from '../discoroFixture.js';

const COMPONENT = `${WORK}
export async function failFirst(coro, i) { if (i === 0) { await coro.sleep(100); throw new Error('the first one failed'); } for (;;) await coro.sleep(1000); }
`;

type Log = ReturnType<typeof statusLog>;
const kinds = (log: Log, kind: DiscoroStatus['kind']): DiscoroStatus[] => log.seen.filter((s) => s.kind === kind);

describe('runResults and runResultWith: one wait for a batch of jobs, none of which outlives the call', function () {
  this.timeout(60_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  let work: string;
  const open: Computation[] = [];

  before(async () => {
    node = await fx.node();
    work = fx.component('work.mjs', COMPONENT);
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close({ terminate: true, timeout: 5000 }).catch(() => undefined);
  });
  after(() => fx.cleanup());

  async function scheduled(): Promise<{ c: Computation; log: Log }> {
    const c = fx.computation({ components: [work], nodes: [node.location] });
    open.push(c);
    const log = statusLog(c);
    await c.schedule({ timeout: 15_000 });
    await log.until((s) => s.kind === 'node-initialized');
    return { c, log };
  }

  /** The jobs that started all ended, reported as terminated; nothing runs any more. */
  async function allTerminated(c: Computation, log: Log, started: number): Promise<void> {
    await until(() => kinds(log, 'job-terminated').length === started, 10_000, `${started} job-terminated`);
    expect(kinds(log, 'job-created')).to.have.length(started);
    await until(() => c.runs.size === 0, 10_000, 'no job left');
  }

  it('values in input order, a bare value being one argument; progress counted; an empty list is []', async () => {
    const { c } = await scheduled();
    const progress: number[] = [];
    expect(await c.runResults('square', [[2], 3, [4]], { onProgress: (done, total) => progress.push(done * 10 + total) })).to.deep.equal([4, 9, 16]);
    expect(progress).to.deep.equal([13, 23, 33]);
    expect(await c.runResults('square', [])).to.deep.equal([]);
  });

  it('bad input is refused with a typed error before any job starts: retries, onProgress, the list, arguments that cannot be encoded, an unknown function', async () => {
    const { c, log } = await scheduled();
    for (const retries of [-1, 1.5, 'x', Infinity]) {
      const err = await c.runResults('square', [1], { retries: retries as number }).catch((e) => e);
      expect(err, String(retries)).to.be.instanceOf(InvalidArgumentError);
      expect(await c.runResultWith({ retries: retries as number }, 'square', 1).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    }
    expect(await c.runResults('square', [1], { onProgress: 5 as never }).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(await c.runResults('square', 'not a list' as never).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(await c.runResults('square', [[1], [2], [() => 3]]).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(await c.runResults('square', [1], { timeout: -1 }).catch((e) => e)).to.be.instanceOf(InvalidArgumentError);
    expect(kinds(log, 'job-created')).to.have.length(0);
    const unknown = await c.runResults('noSuchFunction', [1, 2, 3]).catch((e: Error) => e);
    expect(UnknownJobFunctionError.is(unknown), String(unknown)).to.equal(true);
    expect(kinds(log, 'job-created')).to.have.length(0, 'refused by the server: nothing ran');
    expect(await c.runResults('square', [5])).to.deep.equal([25]);
  });

  it('timeout: false; the jobs that started are terminated and reported, those still waiting for a server never start', async () => {
    const { c, log } = await scheduled();
    expect(await c.runResults('forever', [1, 2, 3, 4], { timeout: 300 })).to.equal(false);
    await allTerminated(c, log, 2);
    expect(await c.runResultWith({ timeout: 300, alarm: 'late' }, 'forever')).to.equal('late');
    await allTerminated(c, log, 3);
  });

  it('abort: the signal\'s reason; the jobs that started are terminated and reported, the others never start', async () => {
    const { c, log } = await scheduled();
    const ac = new AbortController();
    const pending = c.runResults('forever', [1, 2, 3, 4], { signal: ac.signal }).catch((e: Error) => e);
    await log.until((s) => s.kind === 'job-created');
    ac.abort(new Error('enough'));
    expect(await pending).to.have.property('message', 'enough');
    await allTerminated(c, log, 2);
    const single = new AbortController();
    const one = c.runResultWith({ signal: single.signal }, 'forever').catch((e: Error) => e);
    await until(() => kinds(log, 'job-created').length === 3, 10_000, 'the third job starts');
    single.abort(new Error('no more'));
    expect(await one).to.have.property('message', 'no more');
    await allTerminated(c, log, 3);
  });

  it('the first failure rejects, and the jobs still running are terminated', async () => {
    const { c, log } = await scheduled();
    const err = await c.runResults('failFirst', [0, 1, 2], { cpu: false }).catch((e: Error) => e);
    expect((err as Error).message).to.include('the first one failed');
    await until(() => kinds(log, 'job-terminated').length === 2, 10_000, 'the other two terminated');
    expect(kinds(log, 'job-failed')).to.have.length(1);
    await until(() => c.runs.size === 0, 10_000, 'no job left');
  });

  it('run(): a call aborted while its start is in flight has the job terminated as soon as it starts, and reported', async () => {
    const { c, log } = await scheduled();
    const server = c.servers()[0]!;
    process.kill(server.pid, 'SIGSTOP'); // the start waits for an answer
    try {
      const ac = new AbortController();
      const pending = c.runWith({ where: server.location, cpu: false, signal: ac.signal }, 'forever').catch((e: Error) => e);
      await turn();
      ac.abort(new Error('gave up'));
      expect(await pending).to.have.property('message', 'gave up');
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await until(() => kinds(log, 'job-terminated').length === 1, 10_000, 'the job terminated once it started');
    expect(kinds(log, 'job-created')).to.have.length(1);
  });

  it('Symbol.asyncDispose closes the computation, its running jobs terminated and reported', async () => {
    const { c, log } = await scheduled();
    const job = (await c.run('forever')) as JobCoro;
    await c[Symbol.asyncDispose]();
    expect(await job.finish().catch((e: Error) => e)).to.be.instanceOf(CoroTerminatedError);
    expect(kinds(log, 'job-terminated')).to.have.length(1);
    expect(log.seen[log.seen.length - 1]!.kind).to.equal('computation-closed');
  });
});
