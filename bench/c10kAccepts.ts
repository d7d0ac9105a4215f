/**
 * How many connections an AsyncServer accepts for N client connects (with the default backlog):
 * `node dist/bench/c10kAccepts.js [N]`. Prints the accepts, the connects the client made and the
 * kernel's listen-queue overflows seen meanwhile (from /proc/net/netstat), as one JSON line.
 * @module
 */
import { spawn as spawnProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AsyncServer, Scheduler } from '../index.js';

/** ListenOverflows and ListenDrops of TcpExt, or undefined where /proc does not say. */
function listenCounters(): { overflows: number; drops: number } | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
    const at = (name: string): number => Number(values![names!.indexOf(name)]);
    return { overflows: at('ListenOverflows'), drops: at('ListenDrops') };
  } catch {
    return undefined;
  }
}

/** Accepts N connects from a client process and prints what was counted. */
export async function run(n = 10_000): Promise<void> {
  const sched = new Scheduler();
  const server = await AsyncServer.listen({ host: '127.0.0.1', port: 0, scheduler: sched });
  let accepted = 0;
  sched.spawnWith({ daemon: true }, async (coro) => {
    for (;;) {
      await server.accept({ coro });
      accepted++;
    }
  });
  const before = listenCounters();
  const clientJs = fileURLToPath(new URL('./c10kClient.js', import.meta.url));
  const child = spawnProcess('bash', ['-c', `ulimit -n 20000 2>/dev/null; exec "${process.execPath}" "${clientJs}" ${server.port} ${n} 1`], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('connected') && resolve()));
  for (let i = 0; i < 2000 && accepted < n; i++) await new Promise((r) => setTimeout(r, 5));
  const after = listenCounters();
  child.kill('SIGKILL');
  console.log(JSON.stringify({ bench: 'c10k.accepts', connects: n, accepted, droppedByServer: server.droppedConnections, listenOverflows: after && before ? after.overflows - before.overflows : null, listenDrops: after && before ? after.drops - before.drops : null }));
  server.close();
  await sched.terminate();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run(Number(process.argv[2] ?? 10_000));
