import { describe, expect, it } from "vitest";
import type { PathMapDto } from "./bindings/PathMapDto";
import {
  buildFilter,
  chartTheme,
  checkFunnelSteps,
  edgeName,
  edgesByWeight,
  emptyFilter,
  formatDuration,
  formatRate,
  suggestSegmentName,
} from "./journeys";

const map: PathMapDto = {
  nodes: [
    { id: 0, step: 1, label: "web:home", profiles: 10, sequences: 12, dropOff: 2 },
    { id: 1, step: 2, label: "email:open", profiles: 6, sequences: 6, dropOff: 6 },
    { id: 2, step: 2, label: "shop:purchase", profiles: 4, sequences: 4, dropOff: 4 },
  ],
  edges: [
    { from: 0, to: 2, occurrences: 4, profiles: 4, avgSeconds: 60 },
    { from: 0, to: 1, occurrences: 7, profiles: 6, avgSeconds: 30 },
  ],
  sequences: 12,
  profiles: 10,
  events: 40,
  labels: [],
  seconds: 0.1,
};

describe("buildFilter", () => {
  it("sends unset fields as null", () => {
    expect(buildFilter(emptyFilter())).toEqual({ segment: null, from: null, to: null, groups: false });
  });

  it("keeps a segment and a valid range", () => {
    const form = { segment: " vip ", from: "2026-01-01", to: "2026-03-31", groups: true };
    expect(buildFilter(form)).toEqual({ segment: "vip", from: "2026-01-01", to: "2026-03-31", groups: true });
  });

  it("names a malformed date and a reversed range", () => {
    expect(buildFilter({ ...emptyFilter(), from: "1/2/2026" })).toContain("1/2/2026");
    expect(buildFilter({ ...emptyFilter(), from: "2026-05-01", to: "2026-04-01" })).toContain("after it ends");
  });
});

describe("checkFunnelSteps", () => {
  it("drops empty choices and needs two steps", () => {
    expect(checkFunnelSteps(["web:home", "", "shop:purchase"])).toEqual(["web:home", "shop:purchase"]);
    expect(checkFunnelSteps(["web:home", ""])).toBe("A funnel needs at least two steps.");
  });
});

describe("wording", () => {
  it("formats durations by magnitude", () => {
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(600)).toBe("10 min");
    expect(formatDuration(9000)).toBe("2.5 h");
    expect(formatDuration(259200)).toBe("3.0 days");
    expect(formatDuration(null)).toBe("—");
  });

  it("formats rates as percentages", () => {
    expect(formatRate(0.4567)).toBe("45.7 %");
    expect(formatRate(1)).toBe("100.0 %");
  });

  it("names edges by their nodes and sorts them by profiles", () => {
    expect(edgeName(map, 0, 1)).toBe("web:home (step 1) → email:open (step 2)");
    expect(edgeName(map, 0, 9)).toBe("0 → 9");
    expect(edgesByWeight(map).map((e) => e.to)).toEqual([1, 2]);
    expect(map.edges[0]?.to).toBe(2);
  });

  it("suggests a segment name the vocabulary accepts", () => {
    expect(suggestSegmentName("web:home at step 1")).toBe("web_home_at_step_1");
    expect(suggestSegmentName("dropped before step 2 (shop:purchase)")).toBe("dropped_before_step_2_shop_purchase");
    expect(suggestSegmentName("1 → 2")).toBe("journey_selection");
    expect(suggestSegmentName("x".repeat(80))).toHaveLength(48);
  });

  it("picks the chart theme from the page", () => {
    expect(chartTheme({ dataset: { theme: "dark" } })).toBe("dark");
    expect(chartTheme({ dataset: {} })).toBe("light");
  });
});
