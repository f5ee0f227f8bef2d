import { describe, expect, it } from "vitest";
import type { DemoProgressDto } from "./bindings/DemoProgressDto";
import { demoPhaseText, demoProgressFraction, demoProgressPercent, demoProgressText, phaseLabel } from "./progress";

const landing: DemoProgressDto = { phase: "landing", peopleDone: 12345, peopleTotal: 20000, records: 456789, recordsTotal: 0 };
const unifying: DemoProgressDto = { phase: "unifying", peopleDone: 20000, peopleTotal: 20000, records: 1234, recordsTotal: 456789 };

describe("demoProgressText", () => {
  it("says how many people and records are landed, with separators", () => {
    expect(demoProgressText(landing, "en-US")).toBe(
      "Creating the demo warehouse — 12,345 of 20,000 people, 456,789 records",
    );
  });

  it("uses the locale's separators", () => {
    expect(demoProgressText(landing, "de-DE")).toBe(
      "Creating the demo warehouse — 12.345 of 20.000 people, 456.789 records",
    );
  });

  it("says 'record' for exactly one", () => {
    expect(demoProgressText({ ...landing, peopleDone: 1, records: 1 }, "en-US")).toBe(
      "Creating the demo warehouse — 1 of 20,000 people, 1 record",
    );
  });

  it("counts records against their total while unifying", () => {
    expect(demoProgressText(unifying, "en-US")).toBe("Unifying the demo warehouse — 1,234 of 456,789 records");
    expect(demoProgressText({ ...unifying, recordsTotal: 0 }, "en-US")).toBe(
      "Unifying the demo warehouse — 1,234 records",
    );
  });

  it("has a sentence before the first report arrives", () => {
    expect(demoProgressText(null)).toBe("Creating the demo warehouse…");
  });
});

describe("demoProgressFraction", () => {
  it("is the share of people landed, then of records unified", () => {
    expect(demoProgressFraction(landing)).toBeCloseTo(0.61725, 10);
    expect(demoProgressPercent(landing)).toBe(61);
    expect(demoProgressFraction(unifying)).toBeCloseTo(1234 / 456789, 10);
    expect(demoProgressPercent({ ...unifying, records: 228395 })).toBe(50);
  });

  it("is 0 before any report and while the total is unknown", () => {
    expect(demoProgressFraction(null)).toBe(0);
    expect(demoProgressFraction({ ...landing, peopleTotal: 0 })).toBe(0);
    expect(demoProgressFraction({ ...unifying, recordsTotal: 0 })).toBe(0);
  });

  it("stays within 0 and 1", () => {
    expect(demoProgressFraction({ ...landing, peopleDone: 25000 })).toBe(1);
    expect(demoProgressFraction({ ...landing, peopleDone: -5 })).toBe(0);
    expect(demoProgressPercent({ ...landing, peopleDone: 20000 })).toBe(100);
  });
});

describe("demoPhaseText", () => {
  it("names the step", () => {
    expect(demoPhaseText(landing)).toBe("Step 1 of 2 · Landing records");
    expect(demoPhaseText(unifying)).toBe("Step 2 of 2 · Unifying into profiles");
    expect(demoPhaseText({ ...landing, phase: "computing-values" })).toBe("Computing values");
    expect(demoPhaseText(null)).toBe("Starting");
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
