// The colour theme: follows the system unless the user chose one in Settings.
// The choice is remembered in localStorage; the resolved theme is written to
// <html data-theme="light|dark">, which app.css keys its colours on.

export type ThemeChoice = "system" | "light" | "dark";
export type Theme = "light" | "dark";

export const THEME_CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: "system", label: "Match the system" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export const THEME_STORAGE_KEY = "parlance.theme";

/** The subset of Storage we use, so tests can pass a plain object. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === "system" || value === "light" || value === "dark";
}

/** The remembered choice; "system" when nothing (valid) is stored or storage fails. */
export function loadThemeChoice(store: KeyValueStore | null | undefined): ThemeChoice {
  try {
    const stored = store?.getItem(THEME_STORAGE_KEY);
    return isThemeChoice(stored) ? stored : "system";
  } catch {
    return "system";
  }
}

/** Remembers the choice; returns false if storage refused (private mode, quota). */
export function saveThemeChoice(store: KeyValueStore | null | undefined, choice: ThemeChoice): boolean {
  try {
    if (!store) return false;
    store.setItem(THEME_STORAGE_KEY, choice);
    return true;
  } catch {
    return false;
  }
}

export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): Theme {
  if (choice === "system") return systemPrefersDark ? "dark" : "light";
  return choice;
}
