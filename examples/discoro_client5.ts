/**
 * Port of asyncoro's discoro_client5.py: an external program run by each job on its server,
 * fed and read through messages. The program (discoro_client5_proc.js) is shipped as a data file;
 * each job starts it, writes the numbers the client sends it to the program's stdin, and sends
 * every output line back to the client; the client prints "job i output: ..." and "job i done".
 *
 * Run: `DISCORO_SECRET=s node dist/examples/discoro_client5.js host:port`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Computation } from '../actors/discoro/client/Computation.js';
import type { Coro } from '../runtime/Coro.js';
import { isMain } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The job: runs the program, pipes the client's messages to it and its lines back (self-contained). */
async function runProgram(coro: { receive(o: { timeout: number }): Promise<any> }, i: number, client: { send(m: unknown): boolean }): Promise<number> {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const { join, dirname } = await import('node:path');
  const child = spawn(process.execPath, [join(dirname(process.cwd()), 'discoro_client5_proc.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const done = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  let lines = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines++;
    client.send({ i, line });
  });
  for (;;) {
    const m = await coro.receive({ timeout: 30_000 });
    if (m === undefined || m === null) break;
    child.stdin!.write(`${m}\n`);
  }
  child.stdin!.end();
  await done;
  return lines;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const computation = new Computation({
    components: [runProgram, path.join(here, 'discoro_client5_proc.js')],
    nodes: argv[0] !== undefined ? [argv[0]] : undefined,
    secret: process.env.DISCORO_SECRET,
  });
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  const jobs = 5;
  const client = computation.scheduler.spawn(async (coro: Coro<any>) => {
    const outputs = new Map<number, string[]>();
    let ended = 0;
    while (ended < jobs) {
      const m = await coro.receive({ timeout: 30_000 });
      if (m === undefined) throw new Error('no message from the jobs within 30 s');
      if (m.line !== undefined) (outputs.get(m.i) ?? outputs.set(m.i, []).get(m.i)!).push(m.line);
      else if (m.end !== undefined) ended++;
    }
    return outputs;
  });
  const started = await Promise.all(Array.from({ length: jobs }, (_, i) => computation.runAsync('runProgram', i, client)));
  for (const [i, job] of started.entries()) {
    if (job === false) throw new Error('no server');
    for (let n = 0; n < 10; n++) job.send(n);
    job.send(null);
    void job.finish({ timeout: 30_000 }).then((lines) => client.send({ i, end: lines }));
  }
  const outputs = (await client.value()) as Map<number, string[]>;
  for (let i = 0; i < jobs; i++) {
    for (const line of outputs.get(i) ?? []) console.log(`job ${i} output: ${line}`);
    console.log(`job ${i} done`);
  }
  await computation.close();
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
