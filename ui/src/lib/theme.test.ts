import { describe, expect, it } from "vitest";
import { THEME_STORAGE_KEY, loadThemeChoice, resolveTheme, saveThemeChoice, type KeyValueStore } from "./theme";

function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => (key in data ? (data[key] as string) : null),
    setItem: (key, value) => {
      data[key] = value;
    },
  };
}

const brokenStore: KeyValueStore = {
  getItem: () => {
    throw new Error("SecurityError");
  },
  setItem: () => {
    throw new Error("QuotaExceededError");
  },
};

describe("theme choice", () => {
  it("follows the system until the user chooses", () => {
    expect(loadThemeChoice(memoryStore())).toBe("system");
    expect(loadThemeChoice(null)).toBe("system");
  });

  it("remembers the choice across loads", () => {
    const store = memoryStore();
    expect(saveThemeChoice(store, "dark")).toBe(true);
    expect(store.data[THEME_STORAGE_KEY]).toBe("dark");
    expect(loadThemeChoice(store)).toBe("dark");
  });

  it("ignores a stored value it does not know", () => {
    expect(loadThemeChoice(memoryStore({ [THEME_STORAGE_KEY]: "purple" }))).toBe("system");
  });

  it("survives storage that refuses", () => {
    expect(loadThemeChoice(brokenStore)).toBe("system");
    expect(saveThemeChoice(brokenStore, "light")).toBe(false);
    expect(saveThemeChoice(null, "light")).toBe(false);
  });
});

describe("resolveTheme", () => {
  it("uses the system preference only for 'system'", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });
});
