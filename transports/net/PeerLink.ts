/**
 * What a peer talks through: a framed, write-coalescing link to one other node. A TCP (or TLS)
 * connection after its handshake is one (`PeerConnection`); a MessagePort to a worker thread of
 * the same process is another (`PortLink`). A `Peer` sees only this interface, so requests,
 * monitors, heartbeats and loss work the same over both.
 * @module
 */

/**
 * What a link reports to its owner.
 * @example
 * ```ts
 * const events: PeerLinkEvents = { frame: (payload) => peer.onFrame(payload), closed: (err) => peer.lose(err ?? new PeerLostError('closed')) };
 * ```
 */
export interface PeerLinkEvents {
  /** A complete frame (CBOR bytes, or a message value on a link that clones); throwing drops the link with that error. */
  frame(payload: unknown): void;
  /**
   * A one-way request of `type` with its body, in clone form (a link that clones: no message
   * array is built around each; without it they come to `frame` as messages).
   * Throwing drops the link with that error.
   */
  request?(type: string, body: unknown): void;
  /** The link ended: `error` says why (undefined for a clean close by either side). */
  closed(error: Error | undefined): void;
}

/**
 * A framed link to one peer.
 * @example
 * ```ts
 * function idleFor(link: PeerLink): number { return performance.now() - link.lastReceived; }
 * ```
 */
export interface PeerLink {
  /** True when this side opened it (settles simultaneous connects). */
  readonly initiator: boolean;
  /** True for a link inside this process (a worker thread's port): made by the threads' owner, never dialled, no handshake. */
  readonly inProcess: boolean;
  /**
   * False when this side must not declare the other lost for its silence: a thread does not judge
   * its owner or its siblings (only the owner does, and it can stop a frozen thread).
   */
  readonly judgesSilence: boolean;
  /**
   * True when the link carries message values by structured clone (a link inside the process,
   * see CloneWire) rather than CBOR bytes.
   */
  readonly clones: boolean;
  /** `performance.now()` of the last frame received / written. */
  readonly lastReceived: number;
  readonly lastSent: number;
  /** Traffic so far, for snapshots and metrics. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly closed: boolean;
  /**
   * Queues one frame (bytes, or a value when it clones); it leaves with the others at the end of
   * this turn. `transfer`: memory the frame's value holds that moves with it instead of being
   * copied (a link that clones; ignored by one that carries bytes). Throws FrameTooLargeError.
   */
  write(payload: unknown, transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>): void;
  /**
   * On a link that carries values: queues a one-way request of `type` with its body in clone form,
   * as `write([0, 0, type, body])` would, without the message array around it.
   */
  request?(type: string, body: unknown, transfer?: ReadonlyArray<ArrayBuffer | ArrayBufferView>): void;
  /** Flushes, then ends the link (`graceful`) or drops it at once. */
  close(error?: Error, graceful?: boolean): void;
  /** Keeps the process alive while requests are pending on it... */
  ref(): void;
  /** ...and lets it exit while the link is idle. */
  unref(): void;
}
