/**
 * Port of pycos's dispycos_mas.py: a multi-agent system. An agent runs on each server; agents
 * find each other and cooperate to find the lowest and the highest of random numbers. Each one
 * announces itself on the client's channel; every agent that hears a newcomer answers it
 * directly, so each comes to know every other (their references: they then message each other
 * straight, server to server). Each improvement goes either to everyone on the channel (which the
 * client prints) or to one agent it knows. After their search, the client asks all of them to
 * share what they found, then to report: they converge on the same low and high.
 *
 * Run: `DISCORO_SECRET=s node dist/examples/dispycos_mas.js host:port [steps]` (SCALE=0.1 shortens it).
 */
import { Channel, Computation, type Coro } from '../index.js';
import { isMain, scale } from './util.js';

type Ref = { send(m: unknown): boolean; location?: unknown };
/** What agents and the client say on the channel and to each other. */
type Msg = ['hello' | 'known' | 'update' | 'synced', Ref, number, number] | ['done', Ref] | ['sync'] | ['report', Ref] | null;

/** An agent (shipped as its source, so self-contained). */
async function agentProc(coro: Ref & { receive(o?: { timeout?: number }): Promise<unknown> }, channel: Ref & { subscribe(c: unknown): Promise<unknown> }, steps: number, stepMs: number, seed: number): Promise<number> {
  let s = seed >>> 0;
  const random = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const me = String(coro.location);
  const agents = new Map<string, Ref>(); // the others, by where they run
  let low = 1 + random() * 9999;
  let high = low;
  const merge = (l: number, h: number): void => void ((low = Math.min(low, l)), (high = Math.max(high, h)));
  await channel.subscribe(coro);
  channel.send(['hello', coro, low, high]);
  for (let left = steps; ; ) {
    const m = (await coro.receive(left > 0 ? { timeout: (2 + 4 * random()) * stepMs } : {})) as Msg | undefined;
    if (m === null) break;
    if (m === undefined) {
      // "Computing": a new number, shared if it moves low or high.
      if (--left === 0) channel.send(['done', coro]);
      const n = 1 + random() * 9999;
      if (n >= low && n <= high) continue;
      merge(n, n);
      const others = [...agents.values()];
      if (random() < 0.5 || others.length === 0) channel.send(['update', coro, low, high]);
      else others[Math.floor(random() * others.length)]!.send(['update', coro, low, high]);
      continue;
    }
    if (m[0] === 'sync') channel.send(['synced', coro, low, high]);
    else if (m[0] === 'report') m[1].send([me, low, high, agents.size]);
    else if (m[0] !== 'done') {
      const from = String(m[1].location);
      if (from === me) continue; // its own message, back from the channel
      if (m[0] === 'hello' && !agents.has(from)) m[1].send(['known', coro, low, high]); // a newcomer: tell it about this one
      agents.set(from, m[1]);
      merge(m[2], m[3]);
    }
  }
  return agents.size;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [node, steps = '12'] = argv;
  const computation = new Computation({ name: 'mas', components: [agentProc], nodes: node !== undefined ? [node] : undefined, secret: process.env.DISCORO_SECRET });
  const channel = new Channel<Msg>('dispycos_mas', { scheduler: computation.scheduler });
  channel.register();
  const statuses = computation.status();
  if (!(await computation.schedule({ timeout: 30_000 }))) throw new Error('no discoronode found within 30 s');
  let agents = 0;
  for await (const s of statuses) {
    if (s.kind === 'server-initialized' && (await computation.runAsyncAt(s.server.location, 'agentProc', channel, Number(steps), scale(1000), 100 + s.server.index)) !== false) agents++;
    if (s.kind === 'node-initialized') break;
  }
  const client = computation.scheduler.spawn(async (coro: Coro<Msg | [string, number, number, number], void>) => {
    await channel.subscribe(coro);
    const count = async (kind: string): Promise<void> => {
      for (let n = 0; n < agents; ) {
        const m = await coro.receive();
        if (m === null) continue;
        if (m[0] === 'update') console.log(`update from ${String((m[1] as Ref).location)}: ${(m[2] as number).toFixed(3)} / ${(m[3] as number).toFixed(3)}`);
        if (m[0] === kind) n++;
      }
    };
    await count('done'); // every agent finished its search
    channel.send(['sync']);
    await count('synced'); // every agent shared what it found, on the channel: each has heard all
    channel.send(['report', coro]);
    const reports: Array<[string, number, number, number]> = [];
    while (reports.length < agents) {
      const m = await coro.receive({ filter: (x) => Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'number' });
      reports.push(m as [string, number, number, number]);
    }
    for (const [at, low, high, known] of reports.sort()) console.log(`agent at ${at} knows ${known} other agents: ${low.toFixed(3)} / ${high.toFixed(3)}`);
    const same = reports.every((r) => r[1] === reports[0]![1] && r[2] === reports[0]![2]);
    console.log(same ? `agents converged on ${reports[0]![1].toFixed(3)} / ${reports[0]![2].toFixed(3)}` : 'agents did not converge');
    channel.send(null); // the agents end
  });
  await client.finish();
  await computation.close({ awaitAsync: true, timeout: 10_000 });
  await computation.scheduler.terminate();
}

if (isMain(import.meta.url)) await main();
