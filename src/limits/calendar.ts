import type { BudgetPeriod } from "./policy.js";

/** One calendar period in a time zone: `[startMs, endMs)`, with an id every replica computes alike. */
export interface CalendarPeriod {
  /** `2025-03-09` (day), `2025-W10` (ISO week), `2025-03` (month). */
  id: string;
  startMs: number;
  endMs: number;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

function localDate(instantMs: number, timeZone: string): LocalDate {
  const date: LocalDate = { year: 0, month: 0, day: 0 };
  for (const part of formatter(timeZone).formatToParts(instantMs)) {
    if (part.type === "year") date.year = Number(part.value);
    else if (part.type === "month") date.month = Number(part.value);
    else if (part.type === "day") date.day = Number(part.value);
  }
  return date;
}

const ordinal = (date: LocalDate): number => date.year * 10_000 + date.month * 100 + date.day;

/** Proleptic calendar arithmetic on dates, done in UTC where every day has 24 hours. */
function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

const MINUTE = 60_000;

/**
 * The first instant whose local date in `timeZone` is `date`. Usually local midnight; where a
 * DST change skips midnight (America/Santiago, America/Havana) it is the first minute after the
 * gap. Zone offsets are whole minutes and lie within ±14 h, so a binary search over minutes of a
 * ±16 h range around UTC midnight finds it in a dozen steps.
 */
export function startOfLocalDate(date: LocalDate, timeZone: string): number {
  const target = ordinal(date);
  const utcMidnight = Date.UTC(date.year, date.month - 1, date.day);
  let low = utcMidnight / MINUTE - 16 * 60;
  let high = utcMidnight / MINUTE + 16 * 60;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (ordinal(localDate(middle * MINUTE, timeZone)) >= target) high = middle;
    else low = middle + 1;
  }
  return low * MINUTE;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeekId(monday: LocalDate): string {
  const thursday = addDays(monday, 3);
  const firstOfYear = Date.UTC(thursday.year, 0, 1);
  const dayOfYear = (Date.UTC(thursday.year, thursday.month - 1, thursday.day) - firstOfYear) / 86_400_000;
  return `${thursday.year}-W${pad(Math.floor(dayOfYear / 7) + 1)}`;
}

function computePeriod(instantMs: number, period: BudgetPeriod, timeZone: string): CalendarPeriod {
  const today = localDate(instantMs, timeZone);
  let start: LocalDate;
  let end: LocalDate;
  let id: string;
  if (period === "day") {
    start = today;
    end = addDays(today, 1);
    id = `${today.year}-${pad(today.month)}-${pad(today.day)}`;
  } else if (period === "week") {
    const weekday = (new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7;
    start = addDays(today, -weekday);
    end = addDays(start, 7);
    id = isoWeekId(start);
  } else {
    start = { year: today.year, month: today.month, day: 1 };
    end =
      today.month === 12 ? { year: today.year + 1, month: 1, day: 1 } : { ...start, month: today.month + 1 };
    id = `${today.year}-${pad(today.month)}`;
  }
  return { id, startMs: startOfLocalDate(start, timeZone), endMs: startOfLocalDate(end, timeZone) };
}

/** The last period computed per zone and period kind: admissions reuse it until it ends. */
const current = new Map<string, CalendarPeriod>();

/**
 * The calendar period (day, ISO week, month) holding `instantMs` in `timeZone`. Computed, not
 * scheduled: a budget resets because the next admission falls into a new period with a new id.
 */
export function calendarPeriod(instantMs: number, period: BudgetPeriod, timeZone: string): CalendarPeriod {
  const cacheKey = `${period}|${timeZone}`;
  const cached = current.get(cacheKey);
  if (cached && instantMs >= cached.startMs && instantMs < cached.endMs) return cached;
  const computed = computePeriod(instantMs, period, timeZone);
  current.set(cacheKey, computed);
  return computed;
}
