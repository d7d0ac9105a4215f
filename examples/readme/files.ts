// Files, pipes and the worker pool, pull-style from a coroutine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AsyncFile, AsyncPipe, WorkerPool, spawn } from '../../index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncoro-readme-'));
const log = path.join(dir, 'app.log');
writeFileSync(log, 'error: disk full\nok\nERROR: again\n');

const job = spawn(async (coro) => {
  await using file = await AsyncFile.open(log);
  const first = String(await file.readLine({ coro })).trim();

  const grep = AsyncPipe.chain([['grep', '-i', 'error'], ['wc', '-l']]);
  const { stdout } = await grep.communicate(await file.read(0, { coro }), { coro, timeout: 5000 });

  await using pool = new WorkerPool({ size: 1 });
  const sum = await pool.run((n: number) => { let s = 0; for (let i = 1; i <= n; i++) s += i; return s; }, [1000], { coro });
  return [first, Number(stdout.toString()), sum];
});
console.log(await job.value());
// prints: [ 'error: disk full', 1, 500500 ]
rmSync(dir, { recursive: true, force: true });
