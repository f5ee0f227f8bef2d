import { describe, expect, it } from "vitest";
import {
  MISSING,
  fileName,
  formatBytes,
  formatCalendarDate,
  formatCount,
  formatInstant,
  formatQuantity,
  latestInstant,
} from "./format";

describe("formatCount", () => {
  it("groups thousands the way the locale does", () => {
    expect(formatCount(20000, "en-US")).toBe("20,000");
    expect(formatCount(1234567, "en-US")).toBe("1,234,567");
    expect(formatCount(1234567, "de-DE")).toBe("1.234.567");
    // French groups with a narrow no-break space.
    expect(formatCount(1234567, "fr-FR")).toBe("1\u202f234\u202f567");
  });

  it("shows small numbers and zero plainly", () => {
    expect(formatCount(0, "en-US")).toBe("0");
    expect(formatCount(999, "en-US")).toBe("999");
  });

  it("never shows a fraction of a record", () => {
    expect(formatCount(1234.6, "en-US")).toBe("1,235");
  });

  it("shows a dash for a missing or non-finite value", () => {
    expect(formatCount(null)).toBe(MISSING);
    expect(formatCount(undefined)).toBe(MISSING);
    expect(formatCount(Number.NaN)).toBe(MISSING);
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe(MISSING);
  });
});

describe("formatBytes", () => {
  it("keeps bytes below one KB", () => {
    expect(formatBytes(0, "en-US")).toBe("0 bytes");
    expect(formatBytes(1, "en-US")).toBe("1 byte");
    expect(formatBytes(1023, "en-US")).toBe("1,023 bytes");
  });

  it("uses KB, MB and GB with at most one decimal", () => {
    expect(formatBytes(1024, "en-US")).toBe("1 KB");
    expect(formatBytes(1536, "en-US")).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024, "en-US")).toBe("5 MB");
    expect(formatBytes(12.34 * 1024 * 1024, "en-US")).toBe("12.3 MB");
    expect(formatBytes(3 * 1024 ** 3, "en-US")).toBe("3 GB");
  });

  it("rolls over to the next unit instead of showing 1,024", () => {
    expect(formatBytes(1024 * 1024 - 1, "en-US")).toBe("1 MB");
  });

  it("uses the locale's decimal separator", () => {
    expect(formatBytes(1536, "de-DE")).toBe("1,5 KB");
  });

  it("shows a dash for nonsense", () => {
    expect(formatBytes(-1)).toBe(MISSING);
    expect(formatBytes(null)).toBe(MISSING);
    expect(formatBytes(Number.NaN)).toBe(MISSING);
  });
});

describe("formatCalendarDate", () => {
  it("formats a calendar date in the locale's medium style", () => {
    expect(formatCalendarDate("2025-03-01", "en-US")).toBe("Mar 1, 2025");
    expect(formatCalendarDate("2025-03-01", "en-GB")).toBe("1 Mar 2025");
  });

  it("is not shifted by the time zone (the last day of a year stays in it)", () => {
    expect(formatCalendarDate("2024-12-31", "en-US")).toBe("Dec 31, 2024");
  });

  it("returns anything else unchanged, and a dash for nothing", () => {
    expect(formatCalendarDate("soon", "en-US")).toBe("soon");
    expect(formatCalendarDate(null)).toBe(MISSING);
    expect(formatCalendarDate("")).toBe(MISSING);
  });
});

describe("formatInstant", () => {
  it("formats an RFC 3339 instant as date and time in the given zone", () => {
    expect(formatInstant("2025-03-01T09:30:00Z", "en-US", "UTC")).toBe("Mar 1, 2025, 9:30 AM");
    expect(formatInstant("2025-03-01T09:30:00Z", "en-GB", "Europe/London")).toBe("1 Mar 2025, 09:30");
    expect(formatInstant("2025-03-01T23:30:00Z", "en-US", "Asia/Tokyo")).toBe("Mar 2, 2025, 8:30 AM");
  });

  it("returns unparsable text unchanged, and a dash for nothing", () => {
    expect(formatInstant("yesterday", "en-US")).toBe("yesterday");
    expect(formatInstant(null)).toBe(MISSING);
  });
});

describe("latestInstant", () => {
  it("picks the latest instant, by time rather than by text", () => {
    expect(
      latestInstant(["2025-03-01T09:30:00Z", null, "2025-03-01T10:00:00+02:00", "2025-02-28T23:00:00Z"]),
    ).toBe("2025-03-01T09:30:00Z");
  });

  it("is null when nothing was fetched", () => {
    expect(latestInstant([])).toBeNull();
    expect(latestInstant([null, undefined, "not a time"])).toBeNull();
  });
});

describe("formatQuantity", () => {
  it("agrees in number", () => {
    expect(formatQuantity(1, "person", "people", "en-US")).toBe("1 person");
    expect(formatQuantity(20000, "person", "people", "en-US")).toBe("20,000 people");
    expect(formatQuantity(0, "record", "records", "en-US")).toBe("0 records");
  });
});

describe("fileName", () => {
  it("takes the last part of a path with either separator", () => {
    expect(fileName("/home/ada/.local/share/parlance/warehouse.parlance")).toBe("warehouse.parlance");
    expect(fileName("C:\\Users\\ada\\warehouse.parlance")).toBe("warehouse.parlance");
    expect(fileName("/tmp/folder/")).toBe("folder");
    expect(fileName("plain")).toBe("plain");
    expect(fileName(null)).toBe(MISSING);
  });
});
