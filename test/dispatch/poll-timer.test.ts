import { describe, expect, it } from 'vitest';
import { PollTimer } from '../../src/dispatch/poll-timer.ts';
import { prng } from '../support/prng.ts';


/**
 * Each message takes IO some time to reach its final status; the first poll finds it final when
 * it comes at least that late. Returns per message whether it needed more than one poll.
 */
function simulate(timer: PollTimer, processingMs: () => number, messages: number, onDelay: (d: number) => void = () => {}) {
  const needsMore: boolean[] = [];
  for (let i = 0; i < messages; i++) {
    const delay = timer.firstDelayMs();
    onDelay(delay);
    const final = delay >= processingMs();
    timer.observeFirstPoll(final);
    needsMore.push(!final);
  }
  return needsMore;
}

const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;

describe('PollTimer', () => {
  it.each([
    { name: 'uniform 0.5–1.5 s, starting from 5 s', initial: 5000, dist: (r: () => number) => () => 500 + r() * 1000 },
    { name: 'uniform 0.5–1.5 s, starting from the floor', initial: 200, dist: (r: () => number) => () => 500 + r() * 1000 },
    { name: 'exponential, mean 2 s', initial: 5000, dist: (r: () => number) => () => -2000 * Math.log(1 - r()) },
  ])('$name: the share of messages needing a second poll settles at ≤ 3 percent', ({ initial, dist }) => {
    const random = prng(2026);
    const min = 200;
    const max = 10 * 60_000;
    const timer = new PollTimer(initial, min, max);
    const delays: number[] = [];
    const needsMore = simulate(timer, dist(random), 20_000, (d) => delays.push(d));
    const settled = share(needsMore.slice(10_000));
    expect(settled).toBeLessThanOrEqual(0.03);
    // ...and it does not get there by polling far too late: most first polls are not wasted waiting.
    expect(settled).toBeGreaterThan(0.005);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(min);
    expect(Math.max(...delays)).toBeLessThanOrEqual(max);
  });

  it('learns the distribution: the first-poll delay ends near its upper tail, not at the 5 s start', () => {
    const random = prng(1);
    const timer = new PollTimer(5000);
    simulate(timer, () => 500 + random() * 1000, 20_000);
    // ~98th percentile of U(0.5 s, 1.5 s) is 1.48 s.
    expect(timer.firstDelayMs()).toBeGreaterThan(1200);
    expect(timer.firstDelayMs()).toBeLessThan(1800);
  });

  it('follows a change: IO gets slower, the delay grows', () => {
    const random = prng(3);
    const timer = new PollTimer(1000);
    simulate(timer, () => 500 + random() * 1000, 5000);
    const before = timer.firstDelayMs();
    const needsMore = simulate(timer, () => 5000 + random() * 5000, 20_000);
    expect(timer.firstDelayMs()).toBeGreaterThan(before * 4);
    expect(share(needsMore.slice(10_000))).toBeLessThanOrEqual(0.03);
  });

  it('clamps the delay to [min, max]', () => {
    expect(new PollTimer(10, 200, 60_000).firstDelayMs()).toBe(200);
    expect(new PollTimer(1e9, 200, 60_000).firstDelayMs()).toBe(60_000);
    const t = new PollTimer(5000, 200, 60_000);
    for (let i = 0; i < 200; i++) t.observeFirstPoll(false);
    expect(t.firstDelayMs()).toBe(60_000);
    for (let i = 0; i < 20_000; i++) t.observeFirstPoll(true);
    expect(t.firstDelayMs()).toBe(200);
  });

  it('adapts by the documented steps: +25% when still pending, −0.5% when final', () => {
    const t = new PollTimer(1000);
    t.observeFirstPoll(false);
    expect(t.firstDelayMs()).toBe(1250);
    t.observeFirstPoll(true);
    expect(t.firstDelayMs()).toBe(Math.round(1250 * 0.995));
  });

  it('nextDelayMs grows with each further poll, up to an hour', () => {
    const t = new PollTimer(2000);
    expect(t.nextDelayMs(0)).toBe(2000);
    expect(t.nextDelayMs(1)).toBe(4000);
    expect(t.nextDelayMs(2)).toBe(8000);
    for (let polls = 1; polls < 11; polls++) expect(t.nextDelayMs(polls)).toBeGreaterThan(t.nextDelayMs(polls - 1));
    expect(t.nextDelayMs(30)).toBe(60 * 60_000);
    expect(t.nextDelayMs(5000)).toBe(60 * 60_000);
  });

  it('takes a burst of slow answers in one instant as one piece of evidence', () => {
    const t = new PollTimer(1000);
    for (let i = 0; i < 256; i++) t.observeFirstPoll(false, 50_000);
    expect(t.firstDelayMs()).toBe(1250);
    // A tenth of the delay later, it may grow again.
    t.observeFirstPoll(false, 50_000 + 125);
    expect(t.firstDelayMs()).toBe(1563);
  });
});
