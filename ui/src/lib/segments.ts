// The Segments view: its commands, and the pure logic the component wires up —
// change labels, the overlap table, the members pager, the chart theme.

import { call } from "./api";
import type { ExplanationDto } from "./bindings/ExplanationDto";
import type { OverlapDto } from "./bindings/OverlapDto";
import type { SavedSegmentDto } from "./bindings/SavedSegmentDto";
import type { SegmentExportDto } from "./bindings/SegmentExportDto";
import type { SegmentListItemDto } from "./bindings/SegmentListItemDto";
import type { SegmentMembersPageDto } from "./bindings/SegmentMembersPageDto";
import type { SegmentValueDto } from "./bindings/SegmentValueDto";
import { MISSING, formatCount } from "./format";
import { APP_LOCALE } from "./locale";

/** Members per page of the members table. */
export const MEMBERS_PAGE = 50;

export function segmentsList(): Promise<SegmentListItemDto[]> {
  return call<SegmentListItemDto[]>("segments_list");
}

export function segmentValue(name: string): Promise<SegmentValueDto> {
  return call<SegmentValueDto>("segment_value", { name });
}

export function segmentOverlap(): Promise<OverlapDto[]> {
  return call<OverlapDto[]>("segment_overlap");
}

export function segmentSizesSvg(names: string[], theme: ChartTheme, width: number, height: number): Promise<string> {
  return call<string>("segment_sizes_svg", { names, theme, width, height });
}

export function segmentOverlapSvg(theme: ChartTheme, width: number, height: number): Promise<string> {
  return call<string>("segment_overlap_svg", { theme, width, height });
}

export function segmentMembers(name: string, search: string, offset: number, limit: number): Promise<SegmentMembersPageDto> {
  return call<SegmentMembersPageDto>("segment_members", { name, search, offset, limit });
}

export function segmentExplain(name: string, profile: number): Promise<ExplanationDto> {
  return call<ExplanationDto>("segment_explain", { name, profile });
}

/** Writes the members as CSV into the Downloads folder; the DTO has the path. */
export function segmentExport(name: string): Promise<SegmentExportDto> {
  return call<SegmentExportDto>("segment_export", { name });
}

/** Saves profiles (a drill-down) as a new published segment. */
export function saveProfilesAsSegment(
  name: string,
  title: string,
  description: string,
  profileIds: number[],
): Promise<SavedSegmentDto> {
  return call<SavedSegmentDto>("save_profiles_as_segment", { name, title, description, profileIds });
}

export type ChartTheme = "light" | "dark";

/** The chart theme for the page's resolved theme (`<html data-theme>`). */
export function chartTheme(dataTheme: string | null | undefined): ChartTheme {
  return dataTheme === "dark" ? "dark" : "light";
}

/** The change at the latest refresh: "+12", "−3", "no change". */
export function formatChange(change: number, locale?: string): string {
  if (change === 0) return "no change";
  const sign = change > 0 ? "+" : "−";
  return `${sign}${formatCount(Math.abs(change), locale)}`;
}

/** "up", "down" or "flat", for styling the change. */
export function changeDirection(change: number): "up" | "down" | "flat" {
  return change > 0 ? "up" : change < 0 ? "down" : "flat";
}

/** A tier's label; members without a value are "No value yet". */
export function tierLabel(tier: string | null): string {
  return tier ?? "No value yet";
}

/** One row of the overlap table: a segment and what it shares with each other one. */
export interface OverlapRow {
  name: string;
  size: number;
  /** In the order of the names; `share` is of this row's segment. */
  cells: { name: string; both: number; share: number | null }[];
}

/**
 * The overlap pairs (one per unordered pair, the diagonal included) as a full
 * symmetric table in the order of `names`; pairs of unknown names are ignored.
 */
export function overlapRows(pairs: readonly OverlapDto[], names: readonly string[]): OverlapRow[] {
  const both = new Map<string, number>();
  const key = (a: string, b: string) => `${a}\u0000${b}`;
  for (const pair of pairs) {
    both.set(key(pair.a, pair.b), pair.both);
    both.set(key(pair.b, pair.a), pair.both);
  }
  return names.map((name) => {
    const size = both.get(key(name, name)) ?? 0;
    return {
      name,
      size,
      cells: names.map((other) => {
        const shared = both.get(key(name, other)) ?? 0;
        return { name: other, both: shared, share: size > 0 ? shared / size : null };
      }),
    };
  });
}

/** A share as a whole percentage ("42%"), "—" when there is no whole. */
export function formatPercent(share: number | null, locale?: string): string {
  if (share === null || !Number.isFinite(share)) return MISSING;
  return new Intl.NumberFormat(locale ?? APP_LOCALE, { style: "percent", maximumFractionDigits: 0 }).format(share);
}

/** The pager's state for a page of `shown` rows at `offset` out of `total`. */
export interface PageState {
  label: string;
  previous: number | null;
  next: number | null;
}

export function pageState(offset: number, shown: number, total: number, size: number = MEMBERS_PAGE, locale?: string): PageState {
  const label =
    total === 0 || shown === 0
      ? "No members"
      : `${formatCount(offset + 1, locale)}–${formatCount(offset + shown, locale)} of ${formatCount(total, locale)}`;
  return {
    label,
    previous: offset > 0 ? Math.max(0, offset - size) : null,
    next: offset + shown < total ? offset + shown : null,
  };
}

/** What the export notice says. */
export function exportMessage(result: SegmentExportDto, locale?: string): string {
  const rows = result.rows === 1 ? "1 member" : `${formatCount(result.rows, locale)} members`;
  return `Exported ${rows} to ${result.path}`;
}

/** Whether `name` can be a segment name: a letter or _, then letters, digits or _ (ASCII). */
export function isSegmentName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** The heading of a segment: its title, else its name. */
export function segmentHeading(segment: Pick<SegmentListItemDto, "name" | "title">): string {
  return segment.title && segment.title.trim() !== "" ? segment.title : segment.name;
}
