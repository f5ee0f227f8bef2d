import { describe, expect, it } from "vitest";
import type { OverlapDto } from "./bindings/OverlapDto";
import {
  changeDirection,
  chartTheme,
  exportMessage,
  formatChange,
  formatPercent,
  isSegmentName,
  overlapRows,
  pageState,
  segmentHeading,
  tierLabel,
} from "./segments";

describe("formatChange", () => {
  it("signs the change and says when there is none", () => {
    expect(formatChange(12, "en-US")).toBe("+12");
    expect(formatChange(-1234, "en-US")).toBe("−1,234");
    expect(formatChange(0, "en-US")).toBe("no change");
    expect([changeDirection(3), changeDirection(-3), changeDirection(0)]).toEqual(["up", "down", "flat"]);
  });
});

describe("overlapRows", () => {
  const pairs: OverlapDto[] = [
    { a: "a", b: "a", both: 10 },
    { a: "a", b: "b", both: 4 },
    { a: "b", b: "b", both: 8 },
    { a: "zombie", b: "a", both: 99 },
  ];

  it("fills the symmetric table from one pair per couple", () => {
    const rows = overlapRows(pairs, ["a", "b"]);
    expect(rows.map((r) => r.size)).toEqual([10, 8]);
    expect(rows[0]?.cells.map((c) => c.both)).toEqual([10, 4]);
    expect(rows[1]?.cells.map((c) => c.both)).toEqual([4, 8]);
    // Shares are of the row's segment, so the table is not symmetric in shares.
    expect(rows[0]?.cells[1]?.share).toBeCloseTo(0.4);
    expect(rows[1]?.cells[0]?.share).toBeCloseTo(0.5);
    expect(rows[0]?.cells[0]?.share).toBe(1);
  });

  it("gives an empty segment no share", () => {
    const rows = overlapRows([{ a: "e", b: "e", both: 0 }], ["e"]);
    expect(rows[0]?.cells[0]).toEqual({ name: "e", both: 0, share: null });
    expect(formatPercent(null)).toBe("—");
    expect(formatPercent(0.426, "en-US")).toBe("43%");
  });
});

describe("pageState", () => {
  it("labels the range and offers the pages that exist", () => {
    expect(pageState(0, 50, 120, 50, "en-US")).toEqual({ label: "1–50 of 120", previous: null, next: 50 });
    expect(pageState(50, 50, 120, 50, "en-US")).toEqual({ label: "51–100 of 120", previous: 0, next: 100 });
    expect(pageState(100, 20, 120, 50, "en-US")).toEqual({ label: "101–120 of 120", previous: 50, next: null });
    expect(pageState(0, 0, 0, 50, "en-US")).toEqual({ label: "No members", previous: null, next: null });
    expect(pageState(20, 50, 1200, 50, "en-US").previous).toBe(0);
  });
});

describe("the rest", () => {
  it("names things for people", () => {
    expect(exportMessage({ path: "/home/u/Downloads/x-2025-06-30.csv", rows: 1234 }, "en-US")).toBe(
      "Exported 1,234 members to /home/u/Downloads/x-2025-06-30.csv",
    );
    expect(exportMessage({ path: "/d/x.csv", rows: 1 })).toBe("Exported 1 member to /d/x.csv");
    expect(tierLabel(null)).toBe("No value yet");
    expect(tierLabel("top")).toBe("top");
    expect(chartTheme("dark")).toBe("dark");
    expect(chartTheme(undefined)).toBe("light");
    expect(segmentHeading({ name: "lapsed_vips", title: "Lapsed VIPs" })).toBe("Lapsed VIPs");
    expect(segmentHeading({ name: "lapsed_vips", title: " " })).toBe("lapsed_vips");
  });

  it("checks segment names like the language does", () => {
    for (const good of ["drill_1", "_x", "A"]) expect(isSegmentName(good)).toBe(true);
    for (const bad of ["", "1st", "two words", "a-b", "é"]) expect(isSegmentName(bad)).toBe(false);
  });
});
