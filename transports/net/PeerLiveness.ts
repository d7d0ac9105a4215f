/**
 * How one side keeps a peer link alive: it sends a heartbeat when it has sent nothing for an
 * interval, and declares the peer lost when it has heard nothing for `peerTimeout`. Both are on by
 * default. An upper layer that knows by other means whether the peer lives may turn either off for
 * a link, so that an idle link costs nothing: discoro's client and servers do, for as long as no
 * job runs there (the client's node vouches for its servers meanwhile: its heartbeats reach the
 * client, and it sees a server process exit at once). Judging again counts the silence from then,
 * not from the last frame heard while the link was quiet.
 * @module
 */
import type { PeerLink } from './PeerLink.js';

/**
 * What a heartbeat tick calls for on a link: nothing, a heartbeat to send, or the peer lost.
 * @example
 * ```ts
 * const due: LivenessDue = 'beat';
 * ```
 */
export type LivenessDue = 'beat' | 'lost' | undefined;

/**
 * One side's heartbeat settings for one peer.
 * @example
 * ```ts
 * peer.liveness.set({ heartbeats: false, judge: false }); // an idle link vouched for by another
 * peer.liveness.set({ judge: true }); // a job runs there: its silence counts from now
 * ```
 */
export class PeerLiveness {
  private beats = true;
  private judging = true;
  private since = 0;

  /** Sends heartbeats when idle (`heartbeats`), and judges the peer's silence (`judge`); what is not given stays. */
  set(options: { heartbeats?: boolean; judge?: boolean }): void {
    if (options.heartbeats !== undefined) this.beats = options.heartbeats;
    if (options.judge === true && !this.judging) this.since = performance.now();
    if (options.judge !== undefined) this.judging = options.judge;
  }

  get heartbeats(): boolean {
    return this.beats;
  }

  get judges(): boolean {
    return this.judging;
  }

  /** What a tick at `now` calls for on `link`. */
  check(link: PeerLink, now: number, interval: number, timeout: number): LivenessDue {
    if (this.judging && link.judgesSilence && now - Math.max(link.lastReceived, this.since) > timeout) return 'lost';
    return this.beats && now - link.lastSent >= interval ? 'beat' : undefined;
  }
}
