/**
 * `npm run bench`: runs the benchmarks one after the other, each printing one
 * JSON line per figure. `node dist/bench/run.js messaging spawn` runs a subset;
 * BENCH_SIZE=smoke runs the core ones at tiny sizes (used by spec/bench).
 * @module
 */
const core = ['messaging', 'spawn', 'locks', 'channel', 'ask', 'savina', 'pairs', 'fairness'];
const io = ['framing', 'c10k', 'c10kAccepts', 'remote', 'discoro', 'discoroChaos', 'discoroMemory', 'discoroScale', 'threads'];
const wanted = process.argv.slice(2);
const smoke = process.env.BENCH_SIZE === 'smoke';

for (const name of [...core, ...io]) {
  if (wanted.length > 0 ? !wanted.includes(name) : smoke && !core.includes(name)) continue;
  const mod = (await import(`./${name}.js`)) as { run: (size?: string) => Promise<void> };
  await (core.includes(name) ? mod.run(smoke ? 'smoke' : 'full') : mod.run());
}
