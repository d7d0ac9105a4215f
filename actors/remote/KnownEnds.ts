/**
 * What a node knows to be gone: the incarnations of peers it lost (a node that restarts has a new
 * one, so a lost incarnation never comes back unless the connection only dropped), and remote
 * coroutines it heard have ended. `RemoteCoro.send` reads it to return false instead of queueing
 * a message nobody will take. Bounded: the oldest knowledge goes first.
 * @module
 */

/** Most lost incarnations and ended coroutines remembered (each). */
export const KNOWN_ENDS = 10_000;

/**
 * Lost incarnations and ended remote coroutines, bounded.
 * @example
 * ```ts
 * const ends = new KnownEnds();
 * ends.ended('ab12…', 7);
 * ends.hasEnded('ab12…', 7); // true
 * ```
 */
export class KnownEnds {
  private readonly lost = new Set<string>();
  /** Ended coroutine ids (and closed channel names) by incarnation (no key string is built on the send path). */
  private readonly ends = new Map<string, Set<number | string>>();
  private endCount = 0;

  /** The peer with this incarnation was lost. */
  peerLost(incarnation: string): void {
    if (incarnation === '' || this.lost.has(incarnation)) return;
    this.lost.add(incarnation);
    if (this.lost.size > KNOWN_ENDS) this.lost.delete(this.lost.values().next().value as string);
  }

  /** True when the peer with this incarnation was lost (a caller checks first whether it is online again). */
  isLost(incarnation: string): boolean {
    return this.lost.size > 0 && this.lost.has(incarnation);
  }

  /** The coroutine `id` (or the channel named `id`) of incarnation `incarnation` has ended. */
  ended(incarnation: string, id: number | string): void {
    let ids = this.ends.get(incarnation);
    if (ids === undefined) this.ends.set(incarnation, (ids = new Set()));
    if (ids.has(id)) return;
    ids.add(id);
    if (++this.endCount > KNOWN_ENDS) this.forgetOldest();
  }

  /** A channel name is in use again (a channel can be registered anew under a name; a coroutine id never comes back). */
  revived(incarnation: string, name: string): void {
    const ids = this.ends.get(incarnation);
    if (ids === undefined || !ids.delete(name)) return;
    this.endCount--;
    if (ids.size === 0) this.ends.delete(incarnation);
  }

  hasEnded(incarnation: string, id: number | string): boolean {
    return this.endCount > 0 && this.ends.get(incarnation)?.has(id) === true;
  }

  private forgetOldest(): void {
    const [incarnation, ids] = this.ends.entries().next().value as [string, Set<number | string>];
    ids.delete(ids.values().next().value as number | string);
    this.endCount--;
    if (ids.size === 0) this.ends.delete(incarnation);
  }
}
