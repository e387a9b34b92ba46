/** Numbers, money and times as the console shows them (the browser's locale, UTC where buckets are UTC). */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export function formatInteger(value: number): string {
  return integer.format(value);
}

/** Dollars with cents; amounts under a cent keep two significant digits (one request costs fractions of a cent). */
export function formatUsd(value: number): string {
  const small = value !== 0 && Math.abs(value) < 0.01;
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: "USD",
    ...(small ? { maximumSignificantDigits: 2 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  }).format(value);
}

/** An axis tick: short, and still distinct for small values (0.00005). */
export function formatTick(value: number): string {
  if (value === 0) return "0";
  if (Math.abs(value) >= 1000) return compact.format(value);
  return new Intl.NumberFormat(undefined, { maximumSignificantDigits: 2 }).format(value);
}

/** A price per million tokens: as written, up to four decimals. */
export function formatPrice(value: number | undefined): string {
  if (value === undefined) return "—";
  return `$${new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(value)}`;
}

/**
 * Token counts exactly, with the locale's separators (4,096 and 128,000): context windows are often powers of
 * two, and "4.1K" reads as a different limit. Only chart axes round (formatTick).
 */
export function formatTokens(value: number): string {
  return integer.format(value);
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatMs(value: number): string {
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(value)} ms`;
}
