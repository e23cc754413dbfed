/** Decimal places of a number as written (its shortest round-trip form); undefined in exponent form. */
function decimals(x: number): number | undefined {
  const text = String(x);
  if (/e/i.test(text)) return undefined;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** More places than an import file plausibly holds: past it, the floating-point figure is kept. */
const MAX_DECIMALS = 9;

/**
 * score / max as a percentage, rounded half up to one decimal, computed on the decimals as written:
 * in binary floating point 1000 * 1.005 is 1004.9999999999999, so 1.005 of 10 would round to 10.0%
 * instead of 10.1%.
 */
export function scorePercent(score: number, max: number): number {
  if (!(max > 0)) return 0;
  const places = Math.max(decimals(score) ?? Infinity, decimals(max) ?? Infinity);
  if (places > MAX_DECIMALS) return Math.round((1000 * score) / max) / 10;
  const scale = 10 ** places;
  const s = BigInt(Math.round(score * scale));
  const m = BigInt(Math.round(max * scale));
  return Number((2000n * s + m) / (2n * m)) / 10;
}
