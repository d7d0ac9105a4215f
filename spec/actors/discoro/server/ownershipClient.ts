/**
 * Child process of ownership.spec.ts: a discoro client that shares the node's secret with another
 * one. Usage: `node ownershipClient.js <node host:port> <secret> <name> <scratch folder>` (its
 * files go in a folder of its own under the scratch folder, which the spec removes).
 *
 * It schedules a computation on one server, starts a job that runs until told (`hold`), finishes
 * one (`answer`), sends its server a data file (`data-<name>.txt`), and prints one JSON line: its
 * server's location and incarnation, the two jobs' coroutine ids, its computation id.
 * Then it answers JSON commands, one line each:
 * - `{ attack: <the other's line>, self?: true }`: raw protocol requests (through its own peer
 *   network, as a hostile client would send them) against that server: start a job there, run
 *   shipped code there, terminate and watch its jobs, read the finished one's result, call its
 *   setup RCI, overwrite and delete its data file. Answers `{ name: code }`, `ok` for a request
 *   that was served. With `self`, the same requests on harmless targets of its own server.
 * - `{ check: true }`: what it owns, seen by itself: its job still running, the finished job's
 *   value, its data file's content.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import { JOB_CORO_NAME, ServerRequests, setupRciName } from '../../../../actors/discoro/protocol.js';

const [node, secret, name, scratch] = process.argv.slice(2) as [string, string, string, string];
const dir = path.join(scratch, `discoro-ownership-${name}-${process.pid}`);
const dataName = `data-${name}.txt`;

async function hold(coro: { receive(): Promise<unknown> }): Promise<string> {
  await coro.receive();
  return 'released';
}
async function answer(_coro: unknown, who: string): Promise<string> {
  return `the answer of ${who}`;
}
async function readData(_coro: unknown, file: string): Promise<string | null> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8').catch(() => null);
}

const c = new Computation({ components: [hold, answer, readData], nodes: [node], secret, nodeAllocations: [{ node: '*', cpus: 1 }], pulseInterval: 500 });
if (!(await c.schedule({ timeout: 20_000 }))) process.exit(3);
const running = (await c.runAsync('hold')) as JobCoro;
const finished = (await c.runAsync('answer', name)) as JobCoro;
await finished.finish({ timeout: 10_000 });
const server = running.server;
const net = c.net!;
const { mkdirSync } = await import('node:fs');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, dataName), `mine: ${name}\n`);
await net.sendFile(server, path.join(dir, dataName), { timeout: 10_000 });
const serverIncarnation = (await net.peer(server)).incarnation;

type Target = { server: string; incarnation: string; running: number; finished: number; computation: string; dataName: string };
process.stdout.write(`${JSON.stringify({ server, incarnation: serverIncarnation, running: running.id, finished: finished.id, computation: c.id, dataName } satisfies Target)}\n`);

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

async function attack(t: Target, self: boolean): Promise<Record<string, string>> {
  const opts = { timeout: 5000 };
  // Harmless targets on one's own server: the same requests, another job id and file name.
  const jobId = self ? 999_999 : t.running;
  const doneId = self ? 999_998 : t.finished;
  const fileName = self ? `other-${name}.txt` : t.dataName;
  writeFileSync(path.join(dir, fileName), `overwritten by ${name}\n`);
  return {
    run: await outcome(net.request(t.server, ServerRequests.run, [{ name: 'answer' }, net.codec.encode([name]), false, 1_000_001], opts)),
    runShippedCode: await outcome(net.request(t.server, ServerRequests.run, [{ name: '', source: self ? '() => 1' : '() => process.exit(7)' }, net.codec.encode([]), false, 1_000_002], opts)),
    terminate: await outcome(net.request(t.server, 'terminate', [t.incarnation, jobId, JOB_CORO_NAME], opts)),
    readResult: await outcome(net.request(t.server, 'monitor', [t.incarnation, doneId, JOB_CORO_NAME, 1_000_003], opts)),
    setupRciLocate: await outcome(net.request(t.server, 'rci-locate', [setupRciName(t.computation), 0, 1], opts)),
    setupRciRun: await outcome(net.request(t.server, 'rci-run', [t.incarnation, setupRciName(t.computation), [null], null], opts)),
    overwriteFile: await outcome(net.sendFile(t.server, path.join(dir, fileName), { overwrite: true, timeout: 5000 })),
    deleteFile: await outcome(net.delFile(t.server, fileName, opts)),
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { attack?: Target; self?: boolean; check?: true };
  if (cmd.attack !== undefined) process.stdout.write(`${JSON.stringify(await attack(cmd.attack, cmd.self === true))}\n`);
  else if (cmd.check === true) {
    const file = await c.runResultAt(server, readData, path.join('.', dataName));
    const finishedValue = await finished.finish({ timeout: 5000 });
    process.stdout.write(`${JSON.stringify({ runningJobAlive: !running.done, finishedValue, file })}\n`);
  }
}
