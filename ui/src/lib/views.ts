// The views of the app (DESIGN.md, "The app") and the keyboard logic of the
// sidebar that lists them. Pure functions: the Svelte components only wire them up.

export type ViewId =
  | "overview"
  | "sources"
  | "customers"
  | "vocabulary"
  | "segments"
  | "value"
  | "journeys"
  | "settings";

export interface View {
  id: ViewId;
  label: string;
  /** Whether the view works yet; the others are listed, marked "coming soon". */
  available: boolean;
  /** One line saying what the view is for. */
  purpose: string;
}

/** In sidebar order; Alt+1 .. Alt+8 follow this order. */
export const VIEWS: readonly View[] = [
  { id: "overview", label: "Overview", available: true, purpose: "What is in the warehouse" },
  { id: "sources", label: "Sources & syncs", available: true, purpose: "Connect, test and sync channel tools" },
  { id: "customers", label: "Customers", available: true, purpose: "Search profiles and their timelines" },
  { id: "vocabulary", label: "Vocabulary", available: true, purpose: "Segment, score and stage definitions" },
  { id: "segments", label: "Segments", available: true, purpose: "Size, trend, overlap and members" },
  { id: "value", label: "Value", available: true, purpose: "The universal customer-value metric" },
  { id: "journeys", label: "Journeys", available: true, purpose: "Paths, funnels and stage flows" },
  { id: "settings", label: "Settings", available: true, purpose: "Theme, warehouse and version" },
];

/** "Alt+1" for the first view, shown next to each entry. */
export function shortcutLabel(index: number): string {
  return `Alt+${index + 1}`;
}

/**
 * Where focus goes inside the sidebar list when a key is pressed on the item at
 * `current`: Up/Down wrap around, Home/End jump to the ends. `null` means the
 * key is not the list's to handle. Unavailable items are focusable too, so
 * everyone can discover that they exist.
 */
export function nextFocusIndex(current: number, key: string, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case "ArrowDown":
      return (current + 1) % count;
    case "ArrowUp":
      return (current - 1 + count) % count;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** The parts of a keyboard event that decide a shortcut. */
export interface ShortcutKey {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * The view index an Alt+digit shortcut asks for (Alt+1 -> 0), or null.
 * Uses `code` as well as `key` because Alt changes the typed character on
 * some layouts (macOS: Alt+1 types "¡").
 */
export function shortcutIndex(event: ShortcutKey, count: number = VIEWS.length): number | null {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  const fromCode = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
  const digit = fromCode ? fromCode[1] : /^[1-9]$/.test(event.key) ? event.key : null;
  if (digit === null || digit === undefined) return null;
  const index = Number(digit) - 1;
  return index < count ? index : null;
}

/** The view to show for an id, falling back to the first view. */
export function viewById(id: string): View {
  return VIEWS.find((view) => view.id === id) ?? (VIEWS[0] as View);
}
