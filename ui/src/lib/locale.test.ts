import { describe, expect, it } from "vitest";
import { preferredLocale } from "./locale";

describe("preferredLocale", () => {
  it("takes the first language the user prefers", () => {
    expect(preferredLocale(["de-DE", "en-US"])).toBe("de-DE");
    expect(preferredLocale(["fr"])).toBe("fr");
  });

  it("skips the POSIX C locale, which has no thousands separators", () => {
    expect(preferredLocale(["C"])).toBe("en-US");
    expect(preferredLocale(["C", "nl-NL"])).toBe("nl-NL");
    expect(preferredLocale(["POSIX"])).toBe("en-US");
    expect(preferredLocale(["C.UTF-8"])).toBe("en-US");
  });

  it("understands POSIX-style names", () => {
    expect(preferredLocale(["en_GB.UTF-8"])).toBe("en-GB");
    expect(preferredLocale(["de_DE@euro"])).toBe("de-DE");
  });

  it("falls back to en-US when nothing usable is given", () => {
    expect(preferredLocale([])).toBe("en-US");
    expect(preferredLocale([null, "", "not a language!"])).toBe("en-US");
  });
});
