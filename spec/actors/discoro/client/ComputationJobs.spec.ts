/**
 * Typed job calls. The type checks are compiled with the project (`tsc -p .`, as spec/types.spec.ts
 * is): every `@ts-expect-error` line must be an error, every other line must compile. The mocha part
 * runs the same calls against a real discoronode.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { Computation } from '../../../../actors/discoro/client/Computation.js';
import type { JobCoro } from '../../../../actors/discoro/client/JobCoro.js';
import type { Coro } from '../../../../runtime/Coro.js';
import { discoroFixture, WORK, type NodeProcess } from '../discoroFixture.js';

function square(_coro: unknown, x: number): number {
  return x * x;
}
async function label(coro: Coro, name: string, times?: number): Promise<string> {
  await coro.sleep(1);
  return name.repeat(times ?? 1);
}
function cwd(): string {
  return process.cwd();
}
/** The shape of `WORK`'s exports, as `typeof import('./work.mjs')` would give it. */
interface Work {
  compute(coro: Coro, i: number, ms: number): Promise<{ i: number; pid: number }>;
  square(coro: Coro, x: number): number;
  fail(coro: Coro, message: string): never;
  version: string;
}

/** Compile-time only: calls that must, and must not, type-check. */
export async function jobTypeChecks(untyped: Computation, typed: Computation<Work>): Promise<unknown[]> {
  // A function reference types the arguments and the value, typed map or not.
  const a: number = await untyped.runResult(square, 3);
  const b: string = await untyped.runResult(label, 'x', 2);
  const c: string = await untyped.runResult(cwd);
  const d: JobCoro<unknown, number> | false = await untyped.run(square, 2);
  const e: number[] = await untyped.runResults(square, [1, [2], [3]]);
  const f: number[] | false = await untyped.runResults(square, [1, 2], { timeout: 1000 });
  const g: number | null = await untyped.runResultWith({ timeout: 1000, alarm: null }, square, 4);
  // @ts-expect-error a string where square takes a number
  await untyped.runResult(square, 'three');
  // @ts-expect-error square takes one argument
  await untyped.run(square, 1, 2);
  // @ts-expect-error label needs its name
  await untyped.runAsync(label);
  // @ts-expect-error the value of square is a number
  const h: string = await untyped.runResult(square, 3);
  // @ts-expect-error a batch item of the wrong type
  await untyped.runResults(square, [1, 'two']);
  // @ts-expect-error runAt takes where first
  await untyped.runAt(square, 1);
  // An untyped computation takes any name, with any arguments; the value's type is given.
  const i: number = await untyped.runResult<number>('anything', 'goes', 1);
  const j: string[] = await untyped.runResults<string>('anything', [[1], [2]]);
  // A typed component map checks names, arguments and values.
  const k: { i: number; pid: number } = await typed.runResult('compute', 1, 10);
  const l: number = await typed.runResultAt('127.0.0.1', 'square', 2);
  const m: JobCoro<unknown, number> | false = await typed.runAsyncAt('127.0.0.1', 'square', 2);
  const n: number[] = await typed.runResults('square', [1, 2, 3]);
  // @ts-expect-error square takes a number, not 'a', 'b'
  await typed.runResult('square', 'a', 'b');
  // @ts-expect-error no such function in the map
  await typed.run('countPrimes', 10);
  // @ts-expect-error version is no function
  await typed.run('version');
  // @ts-expect-error a typed map does not take a value type for a name
  await typed.runResult<number>('square', 2);
  // @ts-expect-error compute takes (i, ms)
  await typed.runWith({ cpu: false }, 'compute', 1);
  const o: number = await typed.runResult(square, 5); // a reference works on a typed computation too
  return [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o];
}

describe('discoro typed job calls', function () {
  this.timeout(30_000);
  const fx = discoroFixture();
  let node: NodeProcess;
  before(async () => {
    node = await fx.node();
  });
  after(() => fx.cleanup());

  it('new Computation<typeof import(\'./typedJobs.js\')>: jobs named by the module\'s exports are typed by them', async () => {
    const c: Computation<typeof import('./typedJobs.js')> = fx.computation({ components: [fileURLToPath(new URL('./typedJobs.js', import.meta.url))], nodes: [node.location] });
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    const primes: number = await c.runResult('countPrimes', 10);
    expect(primes).to.equal(4);
    const said: string[] = await c.runResult('say', 'hi', 2);
    expect(said).to.deep.equal(['hi', 'hi']);
    expect(await c.runResults('countPrimes', [10, 20])).to.deep.equal([4, 8]);
    const wrong = (): unknown[] => [
      // @ts-expect-error countPrimes takes a number
      c.runResult('countPrimes', 'a', 'b'),
      // @ts-expect-error notAJob is no function
      c.run('notAJob'),
    ];
    void wrong; // compile-time only
    await c.close();
  });

  it('run by reference or by a typed component map\'s name: the calls above work against a node', async () => {
    const work = fx.component('work.mjs', WORK);
    const c = fx.computation({ components: [work, square, label, cwd], nodes: [node.location] }) as Computation;
    const typed = c as unknown as Computation<Work>;
    expect(await c.schedule({ timeout: 15_000 })).to.equal(true);
    expect(await c.runResult(square, 3)).to.equal(9);
    expect(await c.runResult(label, 'ab', 2)).to.equal('abab');
    expect(await c.runResults(square, [1, [2], [3]])).to.deep.equal([1, 4, 9]);
    const job = await c.runAsync(label, 'z');
    expect(job).to.not.equal(false);
    expect(await (job as JobCoro<unknown, string>).value()).to.equal('z');
    expect((await typed.runResult('compute', 4, 1)).i).to.equal(4);
    expect(await typed.runResults('square', [5, 6])).to.deep.equal([25, 36]);
    expect(await c.runResult<number>('square', 7)).to.equal(49);
    await c.close();
  });
});
