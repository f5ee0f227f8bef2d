import { describe, expect, it } from "vitest";
import { barWidth, formatParameter, formatShare, frequencyLabel, holdoutError, maxOf } from "./value";

describe("value view helpers", () => {
  it("sizes bars against the largest value", () => {
    expect(barWidth(50, 200)).toBe("25.0%");
    expect(barWidth(-3, 200)).toBe("0%");
    expect(barWidth(5, 0)).toBe("0%");
    expect(barWidth(300, 200)).toBe("100.0%");
    expect(maxOf([3, 9, 1])).toBe(9);
    expect(maxOf([])).toBe(0);
  });

  it("prints model parameters to four significant digits", () => {
    expect(formatParameter(0.243117, "en-US")).toBe("0.2431");
    expect(formatParameter(-1234.4, "en-US")).toBe("-1,234");
    expect(formatParameter(Number.NaN, "en-US")).toBe("—");
  });

  it("labels and scores hold-out groups", () => {
    const group = { frequency: 7, pooled: true, customers: 10, meanPredicted: 2.1, meanActual: 2 };
    expect(frequencyLabel(group)).toBe("7+");
    expect(frequencyLabel({ ...group, pooled: false, frequency: 3 })).toBe("3");
    expect(holdoutError(group, "en-US")).toBe("+5%");
    expect(holdoutError({ ...group, meanActual: 0 }, "en-US")).toBe("—");
    expect(formatShare(1, 8, "en-US")).toBe("12.5%");
  });
});
