import { describe, expect, it } from "vitest";
import { demoProgressFraction, demoProgressPercent, demoProgressText, phaseLabel } from "./progress";

const midway = { phase: "landing", peopleDone: 12345, peopleTotal: 20000, records: 456789 };

describe("demoProgressText", () => {
  it("says how many people and records are done, with separators", () => {
    expect(demoProgressText(midway, "en-US")).toBe(
      "Creating the demo warehouse — 12,345 of 20,000 people, 456,789 records",
    );
  });

  it("uses the locale's separators", () => {
    expect(demoProgressText(midway, "de-DE")).toBe(
      "Creating the demo warehouse — 12.345 of 20.000 people, 456.789 records",
    );
  });

  it("says 'record' for exactly one", () => {
    expect(demoProgressText({ ...midway, peopleDone: 1, records: 1 }, "en-US")).toBe(
      "Creating the demo warehouse — 1 of 20,000 people, 1 record",
    );
  });

  it("has a sentence before the first report arrives", () => {
    expect(demoProgressText(null)).toBe("Creating the demo warehouse…");
  });
});

describe("demoProgressFraction", () => {
  it("is the share of people done", () => {
    expect(demoProgressFraction(midway)).toBeCloseTo(0.61725, 10);
    expect(demoProgressPercent(midway)).toBe(61);
  });

  it("is 0 before any report and while the total is unknown", () => {
    expect(demoProgressFraction(null)).toBe(0);
    expect(demoProgressFraction({ ...midway, peopleTotal: 0 })).toBe(0);
  });

  it("stays within 0 and 1", () => {
    expect(demoProgressFraction({ ...midway, peopleDone: 25000 })).toBe(1);
    expect(demoProgressFraction({ ...midway, peopleDone: -5 })).toBe(0);
    expect(demoProgressPercent({ ...midway, peopleDone: 20000 })).toBe(100);
  });
});

describe("phaseLabel", () => {
  it("turns an API phase name into a sentence", () => {
    expect(phaseLabel("landing-records")).toBe("Landing records");
    expect(phaseLabel("generating_people")).toBe("Generating people");
    expect(phaseLabel("DONE")).toBe("Done");
    expect(phaseLabel("  ")).toBe("");
  });
});
