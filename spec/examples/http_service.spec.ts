import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/http_service.js');

function get(port: number, pathname: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${pathname}`)));
    req.on('error', reject);
  });
}

describe('example: http_service (an actor system embedded in an HTTP service)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  let exit: Promise<number | null>;
  const waitFor = (re: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} in ${stdout} / ${stderr}`)), 15_000);
      const check = (): void => {
        const m = stdout.match(re);
        if (m === null) return;
        clearTimeout(timer);
        child!.stdout!.off('data', check);
        resolve(m);
      };
      child!.stdout!.on('data', check);
      check();
    });

  before(() => {
    const env: Record<string, string | undefined> = { ...process.env, REQUEST_TIMEOUT: '1000' };
    delete env.ASYNCORO_LOG; // the default logging, as a user gets it
    child = spawn(process.execPath, [script, '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    exit = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
  });
  after(() => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  });

  it('answers from supervised workers and the cache, maps a timeout to 504 and a crash to 500, and shuts down gracefully on SIGTERM', async () => {
    const port = Number((await waitFor(/listening on (\d+)/))[1]);
    expect(await get(port, '/square?x=12')).to.deep.equal({ status: 200, body: { x: 12, y: 144, cached: false } });
    expect(await get(port, '/square?x=12')).to.deep.equal({ status: 200, body: { x: 12, y: 144, cached: true } });
    expect((await get(port, '/slow?ms=5000')).status, 'a request the actors do not answer in time').to.equal(504);
    const crash = await get(port, '/crash');
    expect(crash.status).to.equal(500);
    // The report is written before the 500 leaves, but stderr and the socket are separate pipes.
    for (let i = 0; i < 500 && !stderr.includes('hit a bug'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(stderr, 'the crash report').to.include('supervised child failed').and.include('hit a bug');
    const after = await Promise.all([1, 2, 3, 4, 5].map((x) => get(port, `/square?x=${x}`)));
    expect(after.map((r) => r.body.y), 'every worker serves again after the restart').to.deep.equal([1, 4, 9, 16, 25]);
    expect((await get(port, '/nowhere')).status).to.equal(404);
    // A request in flight when SIGTERM comes still gets its answer, then the process exits 0.
    const inFlight = get(port, '/slow?ms=300');
    await waitFor(/GET \/slow\?ms=300/);
    child!.kill('SIGTERM');
    expect(await inFlight).to.deep.equal({ status: 200, body: { ms: 300, y: 90_000 } });
    expect(await exit).to.equal(0);
    expect(stdout).to.match(/SIGTERM: closing\nstopped\n$/);
  });
});
