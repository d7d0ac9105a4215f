/**
 * The types that tie a job call to the function it runs: its arguments are the function's
 * parameters after the first (the job's coroutine), its value what the function returns (awaited).
 * A job names its function by reference (`run(square, 3)`), or by the name of an export of the
 * computation's typed component map (`new Computation<typeof import('./jobs.js')>(...)`, then
 * `run('countPrimes', 10)`); a computation without a map takes any name, untyped.
 * @module
 */

/**
 * A function a job can run: called with the job's coroutine, then the job's arguments.
 * @example
 * ```ts
 * const square: JobFn = (_coro: unknown, x: number) => x * x;
 * ```
 */
export type JobFn = (coro: any, ...args: any[]) => unknown;

/**
 * The arguments a job of `F` takes: `F`'s parameters after the job's coroutine.
 * @example
 * ```ts
 * function countPrimes(_coro: unknown, below: number): number { return below; }
 * const args: JobArgs<typeof countPrimes> = [10];
 * ```
 */
export type JobArgs<F> = F extends (coro: any, ...args: infer A) => unknown ? A : never;

/**
 * The value of a job of `F`: what `F` returns, awaited.
 * @example
 * ```ts
 * async function countPrimes(_coro: unknown, below: number): Promise<number> { return below; }
 * const value: JobValue<typeof countPrimes> = 4;
 * ```
 */
export type JobValue<F> = F extends (...args: any[]) => infer R ? Awaited<R> : never;

/**
 * The names of the functions in a typed component map `M` (a module's exports:
 * `typeof import('./jobs.js')`); none for an untyped one (its names are LooseJobName).
 * @example
 * ```ts
 * const jobs = { square: (_coro: unknown, x: number) => x * x, limit: 10 };
 * const name: JobName<typeof jobs> = 'square'; // 'limit' is no function
 * ```
 */
export type JobName<M> = string extends keyof M ? never : { [K in keyof M]: M[K] extends JobFn ? K : never }[keyof M] & string;

/**
 * The component map of a computation that has none: any name, any arguments.
 * @example
 * ```ts
 * const anything: UntypedJobs = { compute: (_coro: unknown, ...args: unknown[]) => args.length };
 * ```
 */
export interface UntypedJobs {
  [name: string]: JobFn;
}

/**
 * The names a computation takes untyped (with any arguments, and the value's type given as a
 * type argument): any string when its component map is untyped, none when it is typed (a typed
 * map's names are checked against their functions).
 * @example
 * ```ts
 * const name: LooseJobName<UntypedJobs> = 'compute';
 * ```
 */
export type LooseJobName<M> = string extends keyof M ? string : never;

/**
 * One item of a `runResults` list for a function taking `A`: the argument list, or, for a
 * function of one argument that is not itself an array, that argument alone.
 * @example
 * ```ts
 * const items: Array<BatchItem<[number]>> = [[1], 2, [3]];
 * ```
 */
export type BatchItem<A extends readonly unknown[]> = A | (A extends [infer X] ? (X extends readonly unknown[] ? never : X) : never);
