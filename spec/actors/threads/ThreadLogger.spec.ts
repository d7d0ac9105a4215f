import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { spawnOn, spawnOnWith } from '../../../actors/threads/spawnOn.js';
import { forwardThreadLogs, ThreadLogger, type ThreadLogRecord } from '../../../actors/threads/ThreadLogger.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { THREAD_WORKERS, threadsFixture } from '../../fixtures/index.js';
import { captureLogger, expectError, until } from '../../helpers.js';

describe('ThreadLogger (a thread\'s records written by its owner\'s logger)', function () {
  this.timeout(30_000);
  const ports: MessagePort[] = [];
  afterEach(() => {
    for (const p of ports.splice(0)) p.close();
  });

  /** A ThreadLogger at `level` whose records the owner's capture logger (at `ownerLevel`) writes. */
  function pair(level: string, ownerLevel = 'trace'): { logger: ThreadLogger; lines: Array<Record<string, any>> } {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const owner = captureLogger(ownerLevel);
    forwardThreadLogs(port1, owner.logger.child({ owner: 'main' }));
    return { logger: new ThreadLogger(port2, level), lines: owner.lines };
  }

  /** The records a ThreadLogger posts, as they cross (read raw from the port). */
  function raw(level: string): { logger: ThreadLogger; records: ThreadLogRecord[] } {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const records: ThreadLogRecord[] = [];
    port1.on('message', (r: ThreadLogRecord) => records.push(r));
    return { logger: new ThreadLogger(port2, level), records };
  }

  it('forwards the records enabled at its level, at their level; level is settable; isLevelEnabled and levelVal as pino', async () => {
    const { logger, lines } = pair('info');
    expect([logger.level, logger.levelVal, logger.isLevelEnabled('info'), logger.isLevelEnabled('debug'), logger.isLevelEnabled('nonsense')]).to.deep.equal(['info', 30, true, false, false]);
    logger.debug('dropped here');
    logger.info('one');
    logger.fatal('two');
    logger.level = 'debug';
    logger.debug('three');
    await until(() => lines.length === 3, 5000, 'three lines');
    expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([[30, 'one'], [60, 'two'], [20, 'three']]);
    logger.level = 'silent';
    logger.fatal('never');
    logger.level = 'info';
    logger.info('after');
    await until(() => lines.length === 4, 5000, 'the line after');
    expect(lines[3]!.msg).to.equal('after');
  });

  it('the owner\'s level applies too: a record below it is not written', async () => {
    const { logger, lines } = pair('debug', 'warn');
    logger.info('below the owner');
    logger.warn('at the owner');
    await until(() => lines.length >= 1, 5000, 'a line');
    logger.error('sentinel');
    await until(() => lines.some((l) => l.msg === 'sentinel'), 5000, 'the sentinel');
    expect(lines.map((l) => l.msg)).to.deep.equal(['at the owner', 'sentinel']);
  });

  it('child bindings reach the owner\'s line beside the owner\'s own; a child\'s level is its own', async () => {
    const { logger, lines } = pair('info');
    const child = logger.child({ thread: 't-1' }).child({ job: 'j' });
    expect(child.bindings()).to.deep.equal({ thread: 't-1', job: 'j' });
    child.level = 'error';
    child.warn('dropped by the child');
    child.error({ n: 1 }, 'from the child');
    logger.info('from the parent');
    await until(() => lines.length === 2, 5000, 'two lines');
    expect(lines[0]).to.include({ owner: 'main', thread: 't-1', job: 'j', n: 1, msg: 'from the child', level: 50 });
    expect(lines[1]).to.include({ owner: 'main', msg: 'from the parent' }).and.not.have.property('thread');
  });

  it('pino\'s argument forms: fields and message with %s arguments, a message alone, an error (its message the line\'s), an error with a message', async () => {
    const { logger, lines } = pair('info');
    logger.info({ a: 1 }, 'hello %s #%d', 'world', 2);
    logger.info('plain');
    logger.error(Object.assign(new TypeError('outer', { cause: new RangeError('inner') }), { code: 'ERR_X' }));
    logger.error(new Error('e2'), 'said otherwise');
    await until(() => lines.length === 4, 5000, 'four lines');
    expect(lines[0]).to.include({ a: 1, msg: 'hello world #2' });
    expect(lines[1]!.msg).to.equal('plain');
    const err = lines[2]!.err;
    expect([lines[2]!.msg, err.type, err.code]).to.deep.equal(['outer', 'TypeError', 'ERR_X']);
    expect(err.message).to.include('outer').and.include('inner'); // pino writes the causes' messages and stacks
    expect(err.stack).to.include('TypeError: outer').and.include('RangeError: inner');
    expect([lines[3]!.msg, lines[3]!.err.type, lines[3]!.err.message]).to.deep.equal(['said otherwise', 'Error', 'e2']);
  });

  it('secrets are redacted in the thread, before a record crosses (fields and bindings, at any depth)', async () => {
    const { logger, records } = raw('info');
    logger.child({ session: { authToken: 'tok-1' } }).warn({ secret: 's3cret', deep: { a: { password: 'pw' } }, err: Object.assign(new Error('x'), { apiKeyToken: 'k' }) }, 'with secrets');
    await until(() => records.length === 1, 5000, 'the record');
    const text = JSON.stringify(records[0]);
    for (const secret of ['tok-1', 's3cret', 'pw', '"k"']) expect(text).to.not.include(secret);
    expect(records[0]!.fields.secret).to.equal('[redacted]');
    expect((records[0]!.bindings.session as Record<string, unknown>).authToken).to.equal('[redacted]');
  });

  it('values a structured clone cannot carry do not lose the record: functions dropped, bigints as text, cycles marked', async () => {
    const { logger, lines } = pair('info');
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    logger.info({ fn: () => 1, big: 12n, cyclic, when: new Date(0), sym: Symbol('s') }, 'odd');
    await until(() => lines.length === 1, 5000, 'the line');
    expect(lines[0]).to.deep.include({ big: '12', cyclic: { name: 'c', self: '[Circular]' }, when: '1970-01-01T00:00:00.000Z' });
    expect(lines[0]).to.not.have.property('fn');
    expect(lines[0]).to.not.have.property('sym');
  });

  it('a record after the owner\'s side closed is dropped without an error', () => {
    const { port1, port2 } = new MessageChannel();
    port1.close();
    const logger = new ThreadLogger(port2, 'info');
    expect(() => logger.error('nobody listens')).to.not.throw();
  });

  it('bad levels and bindings are InvalidArgumentError, the level unchanged', async () => {
    const { logger } = pair('info');
    await expectError(() => new ThreadLogger(new MessageChannel().port1, 'loud'), InvalidArgumentError);
    await expectError(() => (logger.level = 'loud'), InvalidArgumentError);
    expect(logger.level).to.equal('info');
    await expectError(() => logger.child(null as unknown as Record<string, unknown>), InvalidArgumentError);
  });

  it('the owner drops a record of unknown shape', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const owner = captureLogger('trace');
    forwardThreadLogs(port1, owner.logger);
    port2.postMessage({ level: 'silent', msg: 'x' });
    port2.postMessage({ level: 'toString', msg: 'x' });
    port2.postMessage(null);
    port2.postMessage({ level: 'info', bindings: {}, fields: {}, error: false, msg: 'sentinel', args: [] });
    await until(() => owner.lines.length === 1, 5000, 'the sentinel');
    expect(owner.lines[0]!.msg).to.equal('sentinel');
  });
});

describe('ThreadLogger on real threads', function () {
  this.timeout(30_000);
  const capture = captureLogger('info');
  const fx = threadsFixture({ count: 1 });
  const children: ChildProcess[] = [];
  let dir: string | undefined;
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) process.kill(c.pid!, 'SIGKILL');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('a thread\'s records reach its owner\'s logger with its name, at the owner\'s level; its crash report too', async () => {
    capture.lines.length = 0;
    const sched = new Scheduler({ logger: capture.logger });
    try {
      const threads = await fx.start({ scheduler: sched });
      await spawnOn(threads, THREAD_WORKERS, 'logsThenFails');
      await until(() => capture.lines.some((l) => l.msg === 'uncaught exception in coroutine' && l.thread !== undefined), 10_000, 'the crash report');
      const mine = capture.lines.filter((l) => l.job === 'j1');
      expect(mine.map((l) => l.msg)).to.deep.equal(['info formatted', 'outer', 'odd values']);
      for (const l of mine) expect(l.thread).to.equal(threads.list()[0]!.name);
      expect(mine[0]).to.deep.include({ n: 1, password: '[redacted]', nested: { apiToken: '[redacted]' } });
      expect([mine[1]!.level, mine[1]!.err.type, mine[1]!.err.code]).to.deep.equal([40, 'RangeError', 'ERR_OUTER']);
      expect(mine[2]).to.deep.include({ level: 50, big: '10' });
      const crash = capture.lines.find((l) => l.msg === 'uncaught exception in coroutine')!;
      expect([crash.level, crash.err.message, crash.err.code]).to.deep.equal([50, 'failed in a thread', 'ERR_FIXTURE']);
      expect(capture.raw.join('')).to.not.include('hunter2').and.not.include('t0k3n');
    } finally {
      for (const g of fx.groups.splice(0)) await g.stop({ timeout: 300 });
      await sched.terminate();
    }
  });

  it('a thread that took a lost one\'s place from a warm spare logs through the owner too', async () => {
    capture.lines.length = 0;
    const sched = new Scheduler({ logger: capture.logger });
    try {
      const threads = await fx.start({ scheduler: sched, spares: 1 });
      await until(() => threads.spares === 1, 20_000, 'a warm spare');
      const victim = await spawnOnWith(threads, { thread: 1 }, THREAD_WORKERS, 'exitThread');
      victim.send(3);
      await until(() => threads.list()[0]!.state === 'up' && threads.list()[0]!.starts === 2, 20_000, 'the spare in the lost one\'s place');
      await spawnOn(threads, THREAD_WORKERS, 'logsThenFails');
      await until(() => capture.lines.some((l) => l.msg === 'odd values'), 10_000, 'a line from the replacement');
      expect(capture.lines.find((l) => l.msg === 'odd values')).to.include({ thread: threads.list()[0]!.name, job: 'j1', level: 50 });
    } finally {
      for (const g of fx.groups.splice(0)) await g.stop({ timeout: 300 });
      await sched.terminate();
    }
  });

  it('by default a thread\'s crash report and a line logged just before it exits reach stderr', async () => {
    const index = new URL('../../../index.js', import.meta.url).href;
    const script = `
      import { Scheduler, spawnOn, Threads } from ${JSON.stringify(index)};
      const threads = await Threads.start({ count: 1, restart: false });
      await spawnOn(threads, new URL(${JSON.stringify(THREAD_WORKERS.href)}), 'logsThenFails');
      // The thread may end before its answer to this placing leaves: PeerLostError then.
      await spawnOn(threads, new URL(${JSON.stringify(THREAD_WORKERS.href)}), 'lastWords').catch(() => undefined);
      process.stdout.write('placed\\n');
      setInterval(() => {}, 1000); // kept alive until the spec has read stderr and kills it
    `;
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.ASYNCORO_LOG;
    // A file, not `-e`: a worker inherits the process's execArgv, and `--input-type` fails there.
    dir = mkdtempSync(path.join(tmpdir(), 'thread-logs-'));
    const file = path.join(dir, 'main.mjs');
    writeFileSync(file, script);
    const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const stderr: Array<Record<string, any>> = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.startsWith('{')) stderr.push(JSON.parse(line) as Record<string, any>);
    });
    await until(() => stderr.some((l) => l.msg === 'last words') && stderr.some((l) => l.msg === 'uncaught exception in coroutine' && l.thread !== undefined), 20_000, 'both lines on stderr');
    const crash = stderr.find((l) => l.msg === 'uncaught exception in coroutine' && l.thread !== undefined)!;
    expect([crash.level, crash.err.message]).to.deep.equal([50, 'failed in a thread']);
    expect(stderr.find((l) => l.msg === 'last words')).to.include({ level: 50, last: true });
    expect(stderr.map((l) => l.msg)).to.not.include('info formatted'); // the default level is warn, in the thread as in its owner
  });
});
