import { describe, expect, it } from "vitest";
import { VIEWS, nextFocusIndex, shortcutIndex, shortcutLabel, viewById, type ShortcutKey } from "./views";

function key(partial: Partial<ShortcutKey>): ShortcutKey {
  return { key: "", code: "", altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...partial };
}

describe("VIEWS", () => {
  it("lists every view of the design, Overview first and Settings last", () => {
    expect(VIEWS.map((view) => view.label)).toEqual([
      "Overview",
      "Sources & syncs",
      "Customers",
      "Vocabulary",
      "Segments",
      "Value",
      "Journeys",
      "Settings",
    ]);
  });

  it("marks only the views that work as available", () => {
    expect(VIEWS.filter((view) => view.available).map((view) => view.id)).toEqual(["overview", "sources", "customers", "vocabulary", "segments", "value", "journeys", "settings"]);
  });

  it("has unique ids", () => {
    expect(new Set(VIEWS.map((view) => view.id)).size).toBe(VIEWS.length);
  });
});

describe("nextFocusIndex", () => {
  it("moves down and up one item", () => {
    expect(nextFocusIndex(0, "ArrowDown", 8)).toBe(1);
    expect(nextFocusIndex(3, "ArrowUp", 8)).toBe(2);
  });

  it("wraps around at both ends", () => {
    expect(nextFocusIndex(7, "ArrowDown", 8)).toBe(0);
    expect(nextFocusIndex(0, "ArrowUp", 8)).toBe(7);
  });

  it("jumps to the ends with Home and End", () => {
    expect(nextFocusIndex(4, "Home", 8)).toBe(0);
    expect(nextFocusIndex(4, "End", 8)).toBe(7);
  });

  it("leaves other keys alone", () => {
    expect(nextFocusIndex(2, "Enter", 8)).toBeNull();
    expect(nextFocusIndex(2, "ArrowRight", 8)).toBeNull();
    expect(nextFocusIndex(2, "Tab", 8)).toBeNull();
  });

  it("does nothing in an empty list", () => {
    expect(nextFocusIndex(0, "ArrowDown", 0)).toBeNull();
  });
});

describe("shortcutIndex", () => {
  it("maps Alt+1 .. Alt+8 to the views in order", () => {
    expect(shortcutIndex(key({ altKey: true, key: "1", code: "Digit1" }))).toBe(0);
    expect(shortcutIndex(key({ altKey: true, key: "8", code: "Digit8" }))).toBe(7);
  });

  it("reads the physical key when Alt changes the character (macOS)", () => {
    expect(shortcutIndex(key({ altKey: true, key: "¡", code: "Digit1" }))).toBe(0);
  });

  it("accepts the numeric keypad", () => {
    expect(shortcutIndex(key({ altKey: true, key: "2", code: "Numpad2" }))).toBe(1);
  });

  it("ignores digits past the last view", () => {
    expect(shortcutIndex(key({ altKey: true, key: "9", code: "Digit9" }))).toBeNull();
  });

  it("needs Alt alone: plain digits and other modifiers are typing, not navigation", () => {
    expect(shortcutIndex(key({ key: "1", code: "Digit1" }))).toBeNull();
    expect(shortcutIndex(key({ altKey: true, ctrlKey: true, key: "1", code: "Digit1" }))).toBeNull();
    expect(shortcutIndex(key({ altKey: true, shiftKey: true, key: "!", code: "Digit1" }))).toBeNull();
    expect(shortcutIndex(key({ altKey: true, metaKey: true, key: "1", code: "Digit1" }))).toBeNull();
  });

  it("ignores Alt with a letter or zero", () => {
    expect(shortcutIndex(key({ altKey: true, key: "a", code: "KeyA" }))).toBeNull();
    expect(shortcutIndex(key({ altKey: true, key: "0", code: "Digit0" }))).toBeNull();
  });
});

describe("shortcutLabel and viewById", () => {
  it("labels shortcuts from one", () => {
    expect(shortcutLabel(0)).toBe("Alt+1");
    expect(shortcutLabel(7)).toBe("Alt+8");
  });

  it("finds a view by id and falls back to Overview", () => {
    expect(viewById("settings").label).toBe("Settings");
    expect(viewById("nonsense").id).toBe("overview");
  });
});
