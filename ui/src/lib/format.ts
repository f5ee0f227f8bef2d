// Readable numbers, sizes and dates for every view.
//
// Every formatter takes an optional locale so tests are exact; the views pass
// nothing and get APP_LOCALE, the user's locale (see locale.ts).

import { APP_LOCALE } from "./locale";

/** Shown wherever a value is missing. */
export const MISSING = "—";

const countFormats = new Map<string, Intl.NumberFormat>();

function countFormat(locale: string | undefined): Intl.NumberFormat {
  const key = locale ?? APP_LOCALE;
  let format = countFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(key, { maximumFractionDigits: 0 });
    countFormats.set(key, format);
  }
  return format;
}

/** A whole count with the locale's thousands separators: 20000 -> "20,000" (en). */
export function formatCount(value: number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  return countFormat(locale).format(value);
}

const BYTE_UNITS = ["KB", "MB", "GB", "TB"] as const;

/**
 * A file size in binary units with at most one decimal: 512 -> "512 bytes",
 * 1536 -> "1.5 KB", 5 * 1024 * 1024 -> "5 MB".
 */
export function formatBytes(bytes: number | null | undefined, locale?: string): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return MISSING;
  if (bytes < 1024) {
    return `${countFormat(locale).format(bytes)} ${bytes === 1 ? "byte" : "bytes"}`;
  }
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // Round first so 1023.96 KB becomes "1 MB", not "1,024 KB".
  if (Math.round(value * 10) / 10 >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(locale ?? APP_LOCALE, { maximumFractionDigits: 1 }).format(value);
  return `${number} ${BYTE_UNITS[unit]}`;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date ("2025-03-01", no time zone) in the locale's medium style:
 * "Mar 1, 2025" (en-US), "1 Mar 2025" (en-GB). It is never shifted by the
 * user's time zone. Anything that is not such a date is returned unchanged.
 */
export function formatCalendarDate(isoDate: string | null | undefined, locale?: string): string {
  if (!isoDate) return MISSING;
  const match = CALENDAR_DATE.exec(isoDate);
  if (!match) return isoDate;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(locale ?? APP_LOCALE, { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

/**
 * An instant (RFC 3339, e.g. "2025-03-01T09:30:00Z") as date and time in the
 * user's time zone, or the given one: "Mar 1, 2025, 9:30 AM" (en-US, UTC).
 * Anything unparsable is returned unchanged.
 */
export function formatInstant(
  rfc3339: string | null | undefined,
  locale?: string,
  timeZone?: string,
): string {
  if (!rfc3339) return MISSING;
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  return new Intl.DateTimeFormat(locale ?? APP_LOCALE, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}

/** The latest of some RFC 3339 instants, or null when there is none. */
export function latestInstant(instants: ReadonlyArray<string | null | undefined>): string | null {
  let latest: string | null = null;
  let latestTime = -Infinity;
  for (const instant of instants) {
    if (!instant) continue;
    const time = new Date(instant).getTime();
    if (!Number.isNaN(time) && time > latestTime) {
      latest = instant;
      latestTime = time;
    }
  }
  return latest;
}

/** "1 person", "2 people"; "1 record", "3 records" — with the count formatted. */
export function formatQuantity(
  value: number,
  singular: string,
  plural: string,
  locale?: string,
): string {
  return `${formatCount(value, locale)} ${value === 1 ? singular : plural}`;
}

/** The last part of a file path, for either separator: "/a/b/demo.parlance" -> "demo.parlance". */
export function fileName(filePath: string | null | undefined): string {
  if (!filePath) return MISSING;
  const parts = filePath.split(/[\\/]/).filter((part) => part.length > 0);
  return parts[parts.length - 1] ?? filePath;
}
