/**
 * The start figure's baseline in `bench/threads.ts`: a bare worker, no runtime. It says 'ready'
 * as soon as it runs, then answers the first `{ id, n }` with `{ id, n: n * 2 }`.
 * @module
 */
import { parentPort } from 'node:worker_threads';

parentPort!.once('message', (m: { id: number; n: number }) => parentPort!.postMessage({ id: m.id, n: m.n * 2 }));
parentPort!.postMessage('ready');
