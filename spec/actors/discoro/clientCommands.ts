/**
 * Extra commands of spec/fixtures/peerNode.ts that make it a discoro client, honest or hostile:
 * start it with `PeerProcess.start({ secret, extension: CLIENT_COMMANDS })`. Every answer is one
 * JSON line; a typed error comes back as `{ error: code, message }`.
 *
 * - `schedule` `{ node, components, zombiePeriod?, pulseInterval?, cpus? }`: a Computation on this
 *   process's network; `{ id, servers: [pid...] }` once it is scheduled.
 * - `run` `{ fn, args }`: `runResult`; `{ value }`. `close`: closes the computation.
 * - `statuses`: what the computation's status stream said so far (`kind`, `position`, `reason`).
 * - `request` `{ node, type, body }`: a raw protocol request, as a hostile client sends it; `{ value }`.
 * - `listen`: keeps the node events posted to this process (when it runs no Computation); `events`
 *   returns them (`[computationId, NodeEvent]` each).
 * - `flood` `{ node, n, prefix }`: n reserve requests at once, ids `<prefix>-<k>`; the outcome of
 *   each counted: `{ granted, queued, refused: { code: count }, queuedIds }`.
 * @module
 */
import { Computation } from '../../../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../../../actors/discoro/client/discoroStatus.js';
import { CLIENT_EVENT, NodeRequests } from '../../../actors/discoro/protocol.js';
import type { Network, Scheduler } from '../../../index.js';

/** The URL to pass as the `extension` option of PeerProcess.start. */
export const CLIENT_COMMANDS = import.meta.url;

function failure(err: unknown): { error: string; message: string } {
  const e = err as { code?: string; message?: string };
  return { error: e.code ?? 'ERR_UNKNOWN', message: String(e.message) };
}

/** Called by peerNode.ts. */
export function commands(sched: Scheduler, net: Network): (cmd: any) => Promise<unknown> {
  let comp: Computation | undefined;
  const statuses: DiscoroStatus[] = [];
  const events: unknown[] = [];
  return async (cmd) => {
    switch (cmd.cmd) {
      case 'schedule': {
        comp = new Computation({
          scheduler: sched, components: cmd.components, nodes: [cmd.node], pulseInterval: cmd.pulseInterval ?? 200, zombiePeriod: cmd.zombiePeriod,
          ...(cmd.cpus === undefined ? {} : { nodeAllocations: [{ cpus: cmd.cpus }] }),
        });
        const c = comp;
        void (async () => {
          for await (const s of c.status()) statuses.push(s);
        })();
        try {
          const ok = await c.schedule({ timeout: cmd.timeout ?? 20_000 });
          return { ok, id: c.id, servers: c.servers().map((s) => s.pid) };
        } catch (err) {
          return { id: c.id, ...failure(err) };
        }
      }
      case 'run':
        return comp!.runResult(cmd.fn, ...(cmd.args ?? [])).then((value) => ({ value }), failure);
      case 'close':
        await comp!.close({ terminate: true, timeout: 5000 });
        return { ok: true };
      case 'statuses':
        return { statuses: statuses.map((s) => ({ kind: s.kind, position: (s as { position?: number }).position, reason: (s as { reason?: string }).reason })) };
      case 'request':
        return net.request(cmd.node, cmd.type, cmd.body, { timeout: cmd.timeout ?? 10_000 }).then((value) => ({ value }), failure);
      case 'listen':
        net.handle(CLIENT_EVENT, (body) => (events.push(body), null));
        return { ok: true };
      case 'events':
        return { events };
      case 'flood': {
        const ids = Array.from({ length: cmd.n }, (_, k) => `${cmd.prefix}-${k}`);
        const outcomes = await Promise.all(ids.map((id) => net.request(cmd.node, NodeRequests.reserve, [id, 1, null], { timeout: 30_000 }).then(
          (v) => ((v as { granted?: number }).granted !== undefined ? 'granted' : 'queued'),
          (err: { code?: string }) => err.code ?? 'ERR_UNKNOWN',
        )));
        const refused: Record<string, number> = {};
        for (const o of outcomes) if (o !== 'granted' && o !== 'queued') refused[o] = (refused[o] ?? 0) + 1;
        return {
          granted: outcomes.filter((o) => o === 'granted').length,
          queued: outcomes.filter((o) => o === 'queued').length,
          refused,
          queuedIds: ids.filter((_, k) => outcomes[k] === 'queued'),
        };
      }
      default:
        return undefined;
    }
  };
}
