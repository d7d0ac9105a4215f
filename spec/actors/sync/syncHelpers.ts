import { expect } from 'chai';

/** Resolves after `ms` of real time (only as an upper bound for liveness, never to assert speed). */
export const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Awaits `p` and returns the error it rejected with (fails the test if it resolved). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  expect.fail('expected a rejection');
}
