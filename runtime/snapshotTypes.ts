/**
 * What `scheduler.snapshot()` reports: a picture of the coroutines, the resources they hold, the
 * registered channels, the peers and the message counters at one moment. Plain data: it can be
 * sent as JSON (the dashboard does) or compared in tests.
 * @example
 * ```ts
 * const snap: SchedulerSnapshot = sched.snapshot();
 * const busiest = [...snap.coroutines].sort((a, b) => b.mailbox - a.mailbox)[0];
 * ```
 * @module
 */

/**
 * What a coroutine is doing: `running` also covers awaiting a promise the runtime does not know;
 * `waiting` says on what in `waitingOn` (a lock, a socket, a remote call, a delivery...).
 */
export type CoroActivity = 'scheduled' | 'running' | 'receiving' | 'sleeping' | 'suspended' | 'waiting' | 'ended';

/**
 * One coroutine in a snapshot.
 * @example
 * ```ts
 * const c: CoroSnapshot = sched.snapshot().coroutines[0];
 * log(c.name, c.state, c.mailbox);
 * ```
 */
export interface CoroSnapshot {
  id: number;
  name: string;
  state: CoroActivity;
  /** For `waiting` (and blocking calls made on its behalf): what it waits on. */
  waitingOn: string | null;
  /** Messages queued in its mailbox. */
  mailbox: number;
  /** Messages its bounded mailbox discarded. */
  dropped: number;
  /** Monitors installed on it. */
  monitors: number;
  /** Names it is registered under. */
  registered: string[];
  /** Locks and permits it holds. */
  holds: string[];
  daemon: boolean;
  /** Milliseconds since it was created. */
  ageMs: number;
}

/**
 * The message counters of a scheduler (cumulative since it was created).
 * @example
 * ```ts
 * const { sent, received } = sched.snapshot().counters;
 * ```
 */
export interface MessageCounters {
  spawned: number;
  live: number;
  daemons: number;
  /** Messages accepted by `send` (queued, or handed to a waiting receive). */
  sent: number;
  /** Messages taken by `receive`/`poll`. */
  received: number;
  /** Messages discarded by a bounded mailbox's drop-oldest or drop-newest policy. */
  dropped: number;
  /** Sends refused by a full mailbox with the `reject` policy (MailboxFullError). */
  rejected: number;
  /** Messages to coroutines that had ended, and monitor statuses nobody could take. */
  deadLetters: number;
  /** The largest mailbox depth seen. */
  mailboxHighWater: number;
}

/**
 * One peer of the networking attached to the scheduler.
 * @example
 * ```ts
 * const p: PeerSnapshot | undefined = sched.snapshot().peers[0];
 * ```
 */
export interface PeerSnapshot {
  location: string;
  name: string;
  incarnation: string;
  state: string;
  /** Milliseconds since a frame last arrived from it. */
  lastHeardMs: number | null;
  /** The last heartbeat round trip, in ms. */
  roundTripMs: number | null;
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  reconnects: number;
  /** Requests to it waiting for their reply. */
  requests?: number;
  /** Watches this node keeps on coroutines at that peer: monitors, `finish()` waits and pending `ask`s. */
  watching?: number;
  /** Watches that peer keeps on coroutines here. */
  watchedBy?: number;
}

/**
 * A scheduler at one moment.
 * @example
 * ```ts
 * const { coroutines, locks, channels, peers, counters } = sched.snapshot();
 * ```
 */
export interface SchedulerSnapshot {
  /** `Date.now()` when taken. */
  at: number;
  coroutines: CoroSnapshot[];
  /** Every lock or permit held, and by whom. */
  locks: Array<{ resource: string; holder: string }>;
  /** Registered channels. */
  channels: Array<{ name: string; subscribers: number }>;
  peers: PeerSnapshot[];
  counters: MessageCounters;
}
