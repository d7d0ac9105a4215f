import { expect } from 'chai';
import { createLogger, LogThrottle, redactSecrets, silentLogger } from '../../runtime/logging.js';

describe('logging', () => {
  it('silentLogger logs nothing at any level', () => {
    const log = silentLogger();
    expect(log.level).to.equal('silent');
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) expect(log.isLevelEnabled(level), level).to.equal(false);
  });

  it('LogThrottle: the first hit logs, hits within the interval only count, take() returns and resets the count', () => {
    const t = new LogThrottle(60_000);
    expect(t.hit()).to.equal(true);
    for (let i = 0; i < 9; i++) expect(t.hit()).to.equal(false);
    expect(t.take()).to.equal(10);
    expect(t.take()).to.equal(0);
    expect(t.hit()).to.equal(false); // still within the interval
    expect(t.take()).to.equal(1);
  });

  it('redactSecrets hides every key naming a secret at any depth, through toJSON, without changing or copying what needs nothing', () => {
    const deep = { a: { b: { c: { d: { e: { secret: 'hunter2', DISCORO_DASHBOARD_TOKEN: 'tok', ok: 1 } } } } } };
    const out = redactSecrets(deep) as typeof deep;
    expect(out.a.b.c.d.e).to.deep.equal({ secret: '[redacted]', DISCORO_DASHBOARD_TOKEN: '[redacted]', ok: 1 });
    expect(deep.a.b.c.d.e.secret, 'the argument is not changed').to.equal('hunter2');
    const clean = { a: { b: [1, 2, { c: 'x' }] } };
    expect(redactSecrets(clean)).to.equal(clean);
    const withToJSON = { node: { toJSON: () => ({ options: { env: { password: 'pw' } } }) } };
    expect(JSON.stringify(redactSecrets(withToJSON))).to.equal('{"node":{"options":{"env":{"password":"[redacted]"}}}}');
    const cyclic: Record<string, unknown> = { authorization: 'Bearer x' };
    cyclic.self = cyclic;
    expect((redactSecrets({ cyclic }).cyclic as Record<string, unknown>).authorization).to.equal('[redacted]');
    const err = Object.assign(new TypeError('boom'), { apiToken: 't0k3n' });
    const redactedErr = redactSecrets({ err }).err as TypeError & { apiToken: string };
    expect([redactedErr instanceof TypeError, redactedErr.message, redactedErr.apiToken]).to.deep.equal([true, 'boom', '[redacted]']);
  });

  it('createLogger redacts at any depth, in a line and in a child logger\'s bindings', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', pretty: false, destination: { write: (l: string) => void lines.push(l) } });
    logger.info({ computation: { options: { node: { secret: 'hunter2' } } }, cluster: [{ env: { DISCORO_SECRET: 's3' } }] }, 'deep');
    logger.child({ job: { env: { API_TOKEN: 'child-token' } }, note: 'a "secret":"in text" stays' }).warn('child');
    const text = lines.join('');
    expect(text).to.not.include('hunter2').and.not.include('s3"').and.not.include('child-token');
    expect(JSON.parse(lines[0]!).computation.options.node.secret).to.equal('[redacted]');
    const child = JSON.parse(lines[1]!);
    expect(child.job.env.API_TOKEN).to.equal('[redacted]');
    expect(child.note).to.equal('a "secret":"in text" stays');
  });

  it('LogThrottle with a zero interval logs every hit', () => {
    const t = new LogThrottle(0);
    for (let i = 0; i < 3; i++) expect(t.hit()).to.equal(true);
    expect(t.take()).to.equal(3);
  });
});

describe('logging: the default logger', () => {
  /** Runs a script that lets a coroutine fail unmonitored, with `ASYNCORO_LOG` set as given (unset when undefined). */
  async function crash(level: string | undefined): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const { execFile } = await import('node:child_process');
    const scheduler = new URL('../../runtime/Scheduler.js', import.meta.url).href;
    const script = `
      import { Scheduler } from ${JSON.stringify(scheduler)};
      const s = new Scheduler();
      s.spawn(async function buggy() { throw new Error('a bug'); });
      s.logger.debug('debug line');
      s.logger.warn({ secret: 'hunter2', options: { secret: 'hunter3' } }, 'a warning');
      await s.finish();
      process.stdout.write('done\\n');
    `;
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.ASYNCORO_LOG;
    if (level !== undefined) env.ASYNCORO_LOG = level;
    return new Promise((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 15_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
      void child;
    });
  }

  it('prints a one-line crash report and warnings to stderr by default (JSON when not a terminal), with secrets redacted', async () => {
    const run = await crash(undefined);
    expect(run.code).to.equal(0); // a crashed coroutine does not crash the process
    expect(run.stdout).to.equal('done\n');
    const lines = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.map((l) => l.msg).sort()).to.deep.equal(['a warning', 'uncaught exception in coroutine']);
    const report = lines.find((l) => l.msg === 'uncaught exception in coroutine')!;
    expect([report.level, report.name, report.err.message]).to.deep.equal([50, 'buggy', 'a bug']);
    expect(run.stderr).to.not.include('hunter2').and.not.include('hunter3');
    expect(lines.find((l) => l.msg === 'a warning')!.secret).to.equal('[redacted]');
  });

  it('ASYNCORO_LOG chooses the level: silent prints nothing, debug adds debug lines, unknown values mean warn', async () => {
    expect((await crash('silent')).stderr).to.equal('');
    const debug = (await crash('debug')).stderr;
    expect(debug).to.include('debug line').and.include('a bug');
    const error = (await crash('error')).stderr;
    expect(error).to.include('a bug').and.not.include('a warning');
    const unknown = (await crash('loud')).stderr;
    expect(unknown).to.include('a warning').and.not.include('debug line');
  });

  it('logLevelFromEnv and prettyLine', async () => {
    const { logLevelFromEnv, prettyLine } = await import('../../runtime/logging.js');
    expect(logLevelFromEnv({})).to.equal('warn');
    expect(logLevelFromEnv({ ASYNCORO_LOG: ' INFO ' })).to.equal('info');
    expect(logLevelFromEnv({ ASYNCORO_LOG: 'verbose' })).to.equal('warn');
    const line = prettyLine(JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 1, 12, 30, 5, 7), msg: 'uncaught exception in coroutine', coro: 'buggy/3', err: { type: 'Error', message: 'a bug', stack: 'x' } }));
    expect(line).to.equal('12:30:05.007 ERROR uncaught exception in coroutine coro=buggy/3 err=Error: a bug');
    expect(line).to.not.include('\n');
    expect(prettyLine('not json\n')).to.equal('not json');
    // An error's stack, and its causes, follow on the lines below (the terminal crash line).
    const stack = 'Error: a bug\n    at worker (file:///app.js:3:9)\ncaused by: RemoteError: disk full (remote)\n    at write (file:///node-b.js:7:1)';
    const report = prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'uncaught exception in coroutine', err: { type: 'Error', message: 'a bug', stack } }));
    expect(report.split('\n')).to.deep.equal([
      '00:00:00.000 ERROR uncaught exception in coroutine err=Error: a bug',
      '    at worker (file:///app.js:3:9)',
      'caused by: RemoteError: disk full (remote)',
      '    at write (file:///node-b.js:7:1)',
    ]);
  });
});

describe('logging: child loggers', () => {
  it('coro.logger is a child bound to the coroutine, created once on first use', async () => {
    const { captureLogger } = await import('../helpers.js');
    const { Scheduler } = await import('../../runtime/Scheduler.js');
    const { logger, lines } = captureLogger('info');
    const s = new Scheduler({ logger });
    try {
      const c = s.spawnWith({ name: 'worker' }, async (coro) => {
        expect(coro.logger).to.equal(coro.logger);
        coro.logger.info({ job: 7 }, 'started');
      });
      await c.finish();
      expect(lines.find((l) => l.msg === 'started')).to.include({ coro: String(c), job: 7 });
    } finally {
      await s.terminate();
    }
  });
});
