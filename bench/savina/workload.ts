/**
 * What every Savina workload exports: the workload written with coroutines, and its twin written
 * by hand with plain async functions and promise mailboxes ({@link BaselineMailbox}), doing the
 * same work. Both return a checksum of what they computed, so the runner can tell that the two
 * did the same work before it compares their times.
 * @module
 */

/** One Savina workload and its hand-rolled twin. */
export interface Workload<P> {
  /** The metric's stem: `<name>_ms`. */
  readonly name: string;
  /** What it does, for the figure's line. */
  readonly about: string;
  /** Parameters at the smoke size (the spec that keeps benches from rotting) and at full size. */
  readonly smoke: P;
  readonly full: P;
  /** The workload on asyncoro coroutines; resolves with its checksum once everything has ended. */
  asyncoro(params: P): Promise<number>;
  /** The same work on plain async functions with hand-rolled promise mailboxes. */
  handRolled(params: P): Promise<number>;
}

/** A small deterministic PRNG (xorshift32), so both twins pick the same "random" targets. */
export function xorshift(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Savina's fork-join unit of work: a little floating-point arithmetic the JIT cannot drop. */
export function performComputation(theta: number): number {
  const sint = Math.sin(theta);
  return sint * sint;
}

/** The hand-rolled twins' "all done": one promise settled when `count` actors have counted down. */
export class Latch {
  readonly done: Promise<void>;
  private resolve!: () => void;
  constructor(private count: number) {
    this.done = new Promise((r) => (this.resolve = r));
    if (count === 0) this.resolve();
  }

  countDown(): void {
    if (--this.count === 0) this.resolve();
  }
}
