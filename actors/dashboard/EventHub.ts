/**
 * The dashboard's server-sent event streams of one kind (the page's, the cluster page's): every
 * open page holds one, each gets every event, and one that stops reading (more than
 * `maxBufferedBytes` queued) is dropped, so that a stuck tab cannot grow the server's memory. It
 * has no timer and no listener of its own: it belongs to the dashboard's coroutine, which drops a
 * stream when the HTTP server reports its connection closed and sends the keep-alives.
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
 * A set of open event streams.
 * @example
 * ```ts
 * const hub = new EventHub({ maxBufferedBytes: 1 << 20 });
 * log(hub.size);
 * ```
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly maxBuffered: number;

  constructor(options: { maxBufferedBytes?: number } = {}) {
    this.maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  /** Open streams. */
  get size(): number {
    return this.clients.size;
  }

  /** True when `res` is one of its streams. */
  has(res: ServerResponse): boolean {
    return this.clients.has(res);
  }

  /** Turns `res` into an event stream (headers sent, `retry` set) and adds it; `extraHeaders` go with its headers. */
  add(res: ServerResponse, extraHeaders: Record<string, string>): void {
    res.writeHead(200, { ...extraHeaders, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.socket?.setNoDelay(true);
    res.write('retry: 2000\n\n');
    this.clients.add(res);
  }

  /** Forgets a stream whose connection closed; true if it was one of them. */
  drop(res: ServerResponse): boolean {
    return this.clients.delete(res);
  }

  /** Sends one event to one stream (its first events, before it shares the broadcasts). */
  send(res: ServerResponse, event: string, data: string): void {
    if (this.clients.has(res)) this.writeTo(res, frame(event, data));
  }

  /** Sends one event to every open stream. */
  broadcast(event: string, data: string): void {
    if (this.clients.size > 0) this.write(frame(event, data));
  }

  /** A comment line, which keeps proxies from closing an idle stream. */
  keepAlive(): void {
    this.write(': keep-alive\n\n');
  }

  /** Ends every stream. */
  closeAll(): void {
    for (const res of [...this.clients]) {
      this.clients.delete(res);
      res.end();
    }
  }

  private write(text: string): void {
    for (const res of [...this.clients]) this.writeTo(res, text);
  }

  private writeTo(res: ServerResponse, text: string): void {
    if (res.destroyed || res.writableLength > this.maxBuffered) {
      // Gone, or it stopped reading: drop it rather than queue without bound; a live page reconnects.
      res.destroy();
      this.clients.delete(res);
      return;
    }
    res.write(text);
  }
}

/** One event in the text/event-stream format; `data` is one line (JSON), split anyway to be safe. */
function frame(event: string, data: string): string {
  return `event: ${event}\n${data.split(/\r?\n/).map((l) => `data: ${l}`).join('\n')}\n\n`;
}
