import { describe, expect, it } from "vitest";
import { calendarPeriod } from "./calendar.js";
import type { BudgetPeriod } from "./policy.js";

const iso = (milliseconds: number) => new Date(milliseconds).toISOString();

describe("calendarPeriod", () => {
  // [instant, period, zone, id, start, end]
  const table: [string, BudgetPeriod, string, string, string, string][] = [
    [
      "2030-01-15T12:00:00.000Z",
      "day",
      "UTC",
      "2030-01-15",
      "2030-01-15T00:00:00.000Z",
      "2030-01-16T00:00:00.000Z",
    ],
    [
      "2030-01-15T23:59:59.999Z",
      "day",
      "UTC",
      "2030-01-15",
      "2030-01-15T00:00:00.000Z",
      "2030-01-16T00:00:00.000Z",
    ],
    [
      "2030-01-16T00:00:00.000Z",
      "day",
      "UTC",
      "2030-01-16",
      "2030-01-16T00:00:00.000Z",
      "2030-01-17T00:00:00.000Z",
    ],
    // DST starts in New York: a 23-hour day.
    [
      "2025-03-09T12:00:00.000Z",
      "day",
      "America/New_York",
      "2025-03-09",
      "2025-03-09T05:00:00.000Z",
      "2025-03-10T04:00:00.000Z",
    ],
    // DST ends in New York: a 25-hour day.
    [
      "2025-11-02T12:00:00.000Z",
      "day",
      "America/New_York",
      "2025-11-02",
      "2025-11-02T04:00:00.000Z",
      "2025-11-03T05:00:00.000Z",
    ],
    // 23:30 on 1 November in New York is already 2 November in UTC.
    [
      "2025-11-02T03:30:00.000Z",
      "day",
      "America/New_York",
      "2025-11-01",
      "2025-11-01T04:00:00.000Z",
      "2025-11-02T04:00:00.000Z",
    ],
    // Chile skips midnight when DST starts: 8 September 2024 begins at 01:00 (-03).
    [
      "2024-09-08T12:00:00.000Z",
      "day",
      "America/Santiago",
      "2024-09-08",
      "2024-09-08T04:00:00.000Z",
      "2024-09-09T03:00:00.000Z",
    ],
    [
      "2024-09-07T12:00:00.000Z",
      "day",
      "America/Santiago",
      "2024-09-07",
      "2024-09-07T04:00:00.000Z",
      "2024-09-08T04:00:00.000Z",
    ],
    // Half-hour offset.
    [
      "2030-01-15T00:00:00.000Z",
      "day",
      "Asia/Kolkata",
      "2030-01-15",
      "2030-01-14T18:30:00.000Z",
      "2030-01-15T18:30:00.000Z",
    ],
    // ISO weeks start on Monday; the week holding a DST change is an hour short.
    [
      "2025-03-05T12:00:00.000Z",
      "week",
      "America/New_York",
      "2025-W10",
      "2025-03-03T05:00:00.000Z",
      "2025-03-10T04:00:00.000Z",
    ],
    [
      "2025-03-09T23:00:00.000Z",
      "week",
      "America/New_York",
      "2025-W10",
      "2025-03-03T05:00:00.000Z",
      "2025-03-10T04:00:00.000Z",
    ],
    [
      "2025-03-10T04:00:00.000Z",
      "week",
      "America/New_York",
      "2025-W11",
      "2025-03-10T04:00:00.000Z",
      "2025-03-17T04:00:00.000Z",
    ],
    // ISO week years: 30 December 2024 is in 2025-W01, 3 January 2021 in 2020-W53.
    [
      "2024-12-30T10:00:00.000Z",
      "week",
      "UTC",
      "2025-W01",
      "2024-12-30T00:00:00.000Z",
      "2025-01-06T00:00:00.000Z",
    ],
    [
      "2021-01-03T10:00:00.000Z",
      "week",
      "UTC",
      "2020-W53",
      "2020-12-28T00:00:00.000Z",
      "2021-01-04T00:00:00.000Z",
    ],
    [
      "2026-01-01T10:00:00.000Z",
      "week",
      "UTC",
      "2026-W01",
      "2025-12-29T00:00:00.000Z",
      "2026-01-05T00:00:00.000Z",
    ],
    [
      "2030-01-15T12:00:00.000Z",
      "week",
      "UTC",
      "2030-W03",
      "2030-01-14T00:00:00.000Z",
      "2030-01-21T00:00:00.000Z",
    ],
    // Month ends: February (leap and not), December into January, a zone behind UTC.
    [
      "2024-02-29T12:00:00.000Z",
      "month",
      "UTC",
      "2024-02",
      "2024-02-01T00:00:00.000Z",
      "2024-03-01T00:00:00.000Z",
    ],
    [
      "2025-03-01T04:30:00.000Z",
      "month",
      "America/New_York",
      "2025-02",
      "2025-02-01T05:00:00.000Z",
      "2025-03-01T05:00:00.000Z",
    ],
    [
      "2025-03-01T05:00:00.000Z",
      "month",
      "America/New_York",
      "2025-03",
      "2025-03-01T05:00:00.000Z",
      "2025-04-01T04:00:00.000Z",
    ],
    [
      "2025-12-31T23:59:59.999Z",
      "month",
      "UTC",
      "2025-12",
      "2025-12-01T00:00:00.000Z",
      "2026-01-01T00:00:00.000Z",
    ],
    [
      "2030-01-31T23:00:00.000Z",
      "month",
      "Europe/Berlin",
      "2030-02",
      "2030-01-31T23:00:00.000Z",
      "2030-02-28T23:00:00.000Z",
    ],
    [
      "2030-01-31T22:59:59.999Z",
      "month",
      "Europe/Berlin",
      "2030-01",
      "2029-12-31T23:00:00.000Z",
      "2030-01-31T23:00:00.000Z",
    ],
    // A month holding a DST change (Berlin, March).
    [
      "2025-03-15T12:00:00.000Z",
      "month",
      "Europe/Berlin",
      "2025-03",
      "2025-02-28T23:00:00.000Z",
      "2025-03-31T22:00:00.000Z",
    ],
  ];

  it.each(table)("%s %s in %s is %s [%s, %s)", (instant, period, zone, id, start, end) => {
    const result = calendarPeriod(Date.parse(instant), period, zone);
    expect({ id: result.id, start: iso(result.startMs), end: iso(result.endMs) }).toEqual({ id, start, end });
  });

  it("gives the same answer from the cache and from a fresh computation", () => {
    const first = calendarPeriod(Date.parse("2030-05-10T10:00:00Z"), "month", "Asia/Tokyo");
    const again = calendarPeriod(Date.parse("2030-05-20T10:00:00Z"), "month", "Asia/Tokyo");
    expect(again).toBe(first);
    const next = calendarPeriod(first.endMs, "month", "Asia/Tokyo");
    expect(next.id).toBe("2030-06");
    expect(next.startMs).toBe(first.endMs);
    expect(calendarPeriod(first.endMs - 1, "month", "Asia/Tokyo").id).toBe("2030-05");
  });
});
