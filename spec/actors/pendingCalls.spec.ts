/**
 * A pending call keeps its process alive and settles once, with one typed outcome (issue 15,
 * items 1 to 3). Each call is made as a top-level `await` in a client process of its own
 * (spec/fixtures/pendingCallClient.ts) whose only reason to stay alive is that call; the spec
 * asserts what it printed and its exit code (13 would mean an await left unsettled). Remote
 * calls go to a real peer node process, which the spec kills (SIGKILL), freezes (SIGSTOP), or
 * whose target crashes, ends or stays silent.
 */
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAllPeerProcesses, killRunning, PeerProcess } from '../fixtures/index.js';
import { LineProcess } from '../fixtures/LineProcess.js';
import { PENDING_CALL_SERVICE } from '../fixtures/pendingCallService.js';

const CLIENT = fileURLToPath(new URL('../fixtures/pendingCallClient.js', import.meta.url));
const clients = new Set<ChildProcessWithoutNullStreams>();

/** One client process: its lines as they come, and its exit code. */
class Client extends LineProcess {
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcessWithoutNullStreams) {
    super(child, 'client process');
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(options: object): Client {
    const child = spawn(process.execPath, [CLIENT, JSON.stringify(options)], { stdio: 'pipe' });
    clients.add(child);
    return new Client(child);
  }

  async line(timeout = 10_000): Promise<any> {
    return JSON.parse(await this.nextLine(timeout));
  }

  /** Waits for `{ event: 'waiting' }`, lets `during` act, then returns the outcome, the send line if any, and the exit code. */
  async run(during: () => Promise<unknown> = async () => undefined): Promise<{ outcome: any; send?: boolean; code: number | null; ms: number }> {
    expect(await this.line(), this.stderr.join('\n')).to.deep.equal({ event: 'waiting' });
    const t0 = performance.now();
    await during();
    const outcome = await this.line(15_000);
    const ms = performance.now() - t0;
    const code = await this.exited;
    const rest = await this.nextLine(100).then((l) => JSON.parse(l) as { send: boolean }, () => undefined);
    return { outcome, send: rest?.send, code, ms };
  }
}

function killAllClients(): void {
  killRunning(clients);
  clients.clear();
}

describe('pending calls (real processes): one typed outcome, and never a silent exit', function () {
  this.timeout(60_000);
  afterEach(killAllClients);
  after(killAllPeerProcesses);

  describe('on one node: the call alone holds the process, with or without a timeout', () => {
    for (const call of ['local-ask', 'local-value', 'local-deliver', 'local-locate', 'local-channel']) {
      for (const timeout of [undefined, 5000]) {
        it(`${call} ${timeout === undefined ? 'without' : 'with'} a timeout resolves and the process exits 0`, async () => {
          const { outcome, code } = await Client.start({ call, timeout }).run();
          expect(code).to.equal(0);
          expect(outcome).to.have.property('ok');
          expect(outcome.ok).to.not.equal(undefined);
        });
      }
    }

    it('local-ask to a silent target times out with TimeoutError, printed, exit 0', async () => {
      const { outcome, code } = await Client.start({ call: 'local-ask', timeout: 200, silent: true }).run();
      expect(outcome).to.include({ error: 'TimeoutError', code: 'ERR_TIMEOUT' });
      expect(code).to.equal(0);
    });
  });

  describe('across processes', () => {
    let server: PeerProcess;
    beforeEach(async () => {
      server = await PeerProcess.start({ secret: 'pending', extension: PENDING_CALL_SERVICE, heartbeatInterval: 100, peerTimeout: 600 });
      await server.command({ cmd: 'svc', name: 'svc' });
      await server.command({ cmd: 'sleeper', name: 'sleeper', ms: 600_000 });
    });
    afterEach(async () => {
      await server.kill('SIGCONT').catch(() => undefined);
      await server.kill('SIGKILL');
    });
    const client = (options: object): Client => Client.start({ server: server.ready.location, ...options });

    describe('ask: the reply, the target crashing or ending, a timeout; and send tells the truth after each', () => {
      it('the reply, with no timeout: exit 0, and no watch is left at the target node', async () => {
        const { outcome, send, code } = await client({ call: 'ask', op: 'slow', ms: 300 }).run();
        expect(outcome).to.deep.equal({ ok: 49 });
        expect(send).to.equal(true);
        expect(code).to.equal(0);
        const { watchedBy, monitors } = await server.command({ cmd: 'watches' });
        expect([watchedBy, monitors.svc], 'what remains is the record of its outcome (its reference left its node)').to.deep.equal([0, 1]);
      });

      it('a crash of the target: CoroFinishedError at once (reason failed, its error), though no timeout', async () => {
        const { outcome, send, code, ms } = await client({ call: 'ask', op: 'crash' }).run();
        expect(outcome).to.deep.equal({ error: 'CoroFinishedError', code: 'ERR_CORO_FINISHED', reason: 'failed', cause: 'ERR_SERVICE_BUG' });
        expect(ms).to.be.below(5000);
        expect(send, 'it is known to have ended').to.equal(false);
        expect(code).to.equal(0);
      });

      it('the target ending normally: CoroFinishedError (reason finished)', async () => {
        const { outcome, send, code } = await client({ call: 'ask', op: 'end', timeout: 600_000 }).run();
        expect(outcome).to.include({ error: 'CoroFinishedError', reason: 'finished' });
        expect(send).to.equal(false);
        expect(code).to.equal(0);
      });

      it('a timeout: TimeoutError; the target lives on, so send is true; its node drops the watch', async () => {
        const { outcome, send, code } = await client({ call: 'ask', op: 'silent', timeout: 300 }).run();
        expect(outcome).to.include({ error: 'TimeoutError', code: 'ERR_TIMEOUT' });
        expect(send).to.equal(true);
        expect(code).to.equal(0);
        for (let i = 0; i < 100 && (await server.command({ cmd: 'watches' })).watchedBy > 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect((await server.command({ cmd: 'watches' })).monitors.svc).to.equal(1); // the record of its outcome only
      });
    });

    describe('the target node SIGKILLed, or SIGSTOPped: PeerLostError (at once, or within the peer timeout), then send is false', () => {
      for (const signal of ['SIGKILL', 'SIGSTOP'] as const) {
        for (const [call, extra] of [['ask', { op: 'silent' }], ['value', {}], ['rci', { ms: 60_000 }], ['deliver', {}], ['channel', {}], ['locate', {}]] as const) {
          it(`${call}, no timeout, ${signal}`, async () => {
            const { outcome, send, code, ms } = await client({ call, ...extra }).run(() => server.kill(signal));
            expect(outcome, JSON.stringify(outcome)).to.include({ code: 'ERR_PEER_LOST' });
            expect(ms, 'within the peer timeout (600 ms) and some slack').to.be.below(signal === 'SIGKILL' ? 3000 : 5000);
            if (send !== undefined) expect(send, 'its node is known lost').to.equal(false);
            expect(code).to.equal(0);
          });
        }
      }
    });

    describe('every other call resolves across processes, with or without a timeout, and exits 0', () => {
      const later: Record<string, object> = { locate: { cmd: 'later', name: 'late', ms: 300 }, channel: { cmd: 'subscribe', ms: 300 }, deliver: { cmd: 'drain', ms: 300 } };
      for (const call of ['value', 'rci', 'deliver', 'channel', 'locate']) {
        for (const timeout of [undefined, 10_000]) {
          it(`${call} ${timeout === undefined ? 'without' : 'with'} a timeout`, async () => {
            if (call === 'value') await server.command({ cmd: 'sleeper', name: 'nap', ms: 1000 });
            const c = client({ call, timeout, op: call === 'value' ? 'nap' : undefined });
            const { outcome, code } = await c.run(async () => void (later[call] && (await server.command(later[call]!))));
            expect(outcome, JSON.stringify(outcome)).to.have.property('ok');
            expect(code).to.equal(0);
          });
        }
      }
    });
  });
});
