/**
 * auto-parity: `--fec auto` — how many parity fragments a frame gets, from the loss its
 * receivers report (pure; frame-sender.ts asks it once per frame).
 *
 * The sender keeps the LOSS reports of the last REPORT_MEMORY_MS and sizes parity for the worst
 * of them: the fewest parity fragments M such that a frame of N data fragments, each of the
 * N + M fragments lost independently with that probability, cannot be repaired by parity alone
 * (needs a NACK) at most FEC_AUTO_RESIDUAL of the time. So a clean LAN pays one parity fragment
 * in 33 (FEC_AUTO_MIN_PERCENT, rounded down) and a lossy one gets enough that NACKs are rare.
 * Parity never exceeds FEC_AUTO_MAX_PERCENT nor the receivers' udpMaxFecPercent: a receiver that
 * reports 100 % loss (hostile or broken) costs the group that cap and no more.
 */
import { parityCountFor } from './fec.js';

/** FEC_AUTO_RESIDUAL: parity leaves at most 2 % of frames to NACKs. */
export const FEC_AUTO_RESIDUAL = 0.02;
/** FEC_AUTO_MIN_PERCENT: at no loss, 3 % (rounded down: one parity fragment per 33 data). */
export const FEC_AUTO_MIN_PERCENT = 3;
/** FEC_AUTO_MAX_PERCENT: at most 40 % parity, whatever is reported (repairs 15 % loss). */
export const FEC_AUTO_MAX_PERCENT = 40;
/** FEC_AUTO_INITIAL_LOSS: until the first report, assume 2 % loss. */
export const FEC_AUTO_INITIAL_LOSS = 0.02;
/** REPORT_MEMORY_MS: a report counts for 3 s (receivers report every ~0.5 s, some suppressed). */
export const REPORT_MEMORY_MS = 3000;

/** lnGamma is ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** binomialTail is P(X > m) for X ~ Binomial(n, p). */
export function binomialTail(n: number, p: number, m: number): number {
  if (m >= n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lnC = lnGamma(n + 1);
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let cdf = 0;
  for (let k = 0; k <= m; k++) cdf += Math.exp(lnC - lnGamma(k + 1) - lnGamma(n - k + 1) + k * lp + (n - k) * lq);
  return Math.max(0, 1 - cdf);
}

/** parityForLoss is the parity count for `dataCount` data fragments at loss rate `loss` (see the file comment). */
export function parityForLoss(dataCount: number, loss: number, maxPercent: number): number {
  const cap = parityCountFor(dataCount, Math.min(FEC_AUTO_MAX_PERCENT, maxPercent));
  const floor = Math.min(cap, Math.floor((dataCount * FEC_AUTO_MIN_PERCENT) / 100));
  // P(frame needs a NACK) falls as M grows: binary search for the fewest M that is rare enough.
  let lo = floor;
  let hi = cap;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (binomialTail(dataCount + m, loss, m) <= FEC_AUTO_RESIDUAL) hi = m;
    else lo = m + 1;
  }
  return lo;
}

/** AutoParity remembers recent LOSS reports and sizes each frame's parity; see the file comment. */
export class AutoParity {
  private reports: { at: number; loss: number }[] = [];
  private memo = new Map<number, number>();
  private memoLoss = -1;

  constructor(private readonly maxPercent: number) {}

  /** report records a receiver's loss rate (0..1) at `now` (ms). */
  report(loss: number, now: number): void {
    this.reports.push({ at: now, loss });
    if (this.reports.length > 256) this.reports.shift(); // a flood of reports cannot grow memory
  }

  /** worstLoss is the highest loss reported in the last REPORT_MEMORY_MS (FEC_AUTO_INITIAL_LOSS before any). */
  worstLoss(now: number): number {
    this.reports = this.reports.filter((r) => now - r.at < REPORT_MEMORY_MS);
    return this.reports.length ? Math.max(...this.reports.map((r) => r.loss)) : FEC_AUTO_INITIAL_LOSS;
  }

  /** parityCount is how many parity fragments a frame of `dataCount` data fragments gets now. */
  parityCount(dataCount: number, now: number): number {
    const loss = this.worstLoss(now);
    if (loss !== this.memoLoss) {
      this.memo.clear();
      this.memoLoss = loss;
    }
    let m = this.memo.get(dataCount);
    if (m === undefined) {
      m = parityForLoss(dataCount, loss, this.maxPercent);
      if (this.memo.size < 64) this.memo.set(dataCount, m);
    }
    return m;
  }
}
