/**
 * The dashboard's server-sent event streams: every open page holds one (`GET /events`), each gets
 * every event, a page that goes away is dropped, and so is one that stops reading (more than
 * `maxBufferedBytes` queued), so that a stuck tab cannot grow the server's memory.
 * @example
 * ```ts
 * const hub = new EventHub();
 * hub.broadcast('cluster', JSON.stringify({ nodes: [] }));
 * hub.closeAll();
 * ```
 * @module
 */
import type { ServerResponse } from 'node:http';

/**
 * The set of open event streams.
 * @example
 * ```ts
 * const hub = new EventHub({ onEmpty: () => log('no page open') });
 * log(hub.size);
 * ```
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxBuffered: number;
  private readonly onEmpty: (() => void) | undefined;

  constructor(options: { maxBufferedBytes?: number; heartbeatMs?: number; onEmpty?: () => void } = {}) {
    this.maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.onEmpty = options.onEmpty;
    // A comment line now and then keeps proxies from closing an idle stream.
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Open streams. */
  get size(): number {
    return this.clients.size;
  }

  /**
   * Turns `res` into an event stream (headers sent, `retry` set) and adds it; it is dropped when
   * its connection closes. `extraHeaders` are sent with the stream's headers.
   */
  add(res: ServerResponse, extraHeaders: Record<string, string>): void {
    res.writeHead(200, { ...extraHeaders, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.socket?.setNoDelay(true);
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => this.drop(res));
  }

  /** Sends one event to one stream (its first events, before it shares the broadcasts). */
  send(res: ServerResponse, event: string, data: string): void {
    if (this.clients.has(res)) this.writeTo(res, frame(event, data));
  }

  /** Sends one event to every open stream. */
  broadcast(event: string, data: string): void {
    if (this.clients.size > 0) this.write(frame(event, data));
  }

  /** Ends every stream. */
  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const res of [...this.clients]) {
      this.clients.delete(res);
      res.end();
    }
  }

  private write(text: string): void {
    for (const res of [...this.clients]) this.writeTo(res, text);
  }

  private writeTo(res: ServerResponse, text: string): void {
    if (res.writableLength > this.maxBuffered) {
      // It stopped reading: drop it rather than queue without bound; the page reconnects if alive.
      res.destroy();
      this.drop(res);
      return;
    }
    res.write(text);
  }

  private drop(res: ServerResponse): void {
    if (this.clients.delete(res) && this.clients.size === 0) this.onEmpty?.();
  }
}

/** One event in the text/event-stream format; `data` is one line (JSON), split anyway to be safe. */
function frame(event: string, data: string): string {
  return `event: ${event}\n${data.split(/\r?\n/).map((l) => `data: ${l}`).join('\n')}\n\n`;
}
