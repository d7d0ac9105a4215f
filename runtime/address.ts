/**
 * A send-only address: what a request carries so that the other side can answer. Both a local
 * `Coro` and a `RemoteCoro` are addresses, so either can stand in for the other. It is
 * contravariant in the message type: a `Coro<Reply | Noise>` is an `Address<Reply>`, but a
 * `Coro<Reply>` is not an `Address<Reply | Noise>`.
 * @example
 * ```ts
 * type Request = { x: number; replyTo: Address<number> };
 * const reply: Address<number> = coro; // coro: Coro<number | string>
 * reply.send(42);
 * ```
 * @module
 */

/**
 * Something messages of type `M` can be sent to. `send` returns false when the message cannot be
 * queued (the recipient ended, its node cannot be reached).
 * @example
 * ```ts
 * function notify(to: Address<string>): boolean { return to.send('done'); }
 * ```
 */
export interface Address<in M> {
  // A property, not a method: checked contravariantly, which makes Address<M> sound.
  readonly send: (message: M) => boolean;
}
