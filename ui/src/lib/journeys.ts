// The Journeys view's commands and its pure logic: building requests from the
// form, checking them before they are sent, and wording results.

import { call } from "./api";
import type { ChartedFunnelDto } from "./bindings/ChartedFunnelDto";
import type { ChartedPathMapDto } from "./bindings/ChartedPathMapDto";
import type { ChartedStageFlowsDto } from "./bindings/ChartedStageFlowsDto";
import type { DrillDto } from "./bindings/DrillDto";
import type { DrillRequestDto } from "./bindings/DrillRequestDto";
import type { FunnelRequestDto } from "./bindings/FunnelRequestDto";
import type { JourneyChoicesDto } from "./bindings/JourneyChoicesDto";
import type { JourneyFilterDto } from "./bindings/JourneyFilterDto";
import type { PathMapDto } from "./bindings/PathMapDto";
import type { PathRequestDto } from "./bindings/PathRequestDto";
import type { SavedSegmentDto } from "./bindings/SavedSegmentDto";
import type { StageFlowRequestDto } from "./bindings/StageFlowRequestDto";

/** The size charts are drawn at; the page scales them to its width. */
export const CHART_SIZE = { width: 1100, height: 620 } as const;

export function journeyChoices(): Promise<JourneyChoicesDto> {
  return call<JourneyChoicesDto>("journey_choices");
}

export function journeyPaths(request: PathRequestDto, theme: string): Promise<ChartedPathMapDto> {
  return call<ChartedPathMapDto>("journey_paths", { request, theme, ...CHART_SIZE });
}

export function journeyFunnel(request: FunnelRequestDto, theme: string): Promise<ChartedFunnelDto> {
  return call<ChartedFunnelDto>("journey_funnel", { request, theme, ...CHART_SIZE });
}

export function journeyStages(request: StageFlowRequestDto, theme: string): Promise<ChartedStageFlowsDto> {
  return call<ChartedStageFlowsDto>("journey_stages", { request, theme, ...CHART_SIZE });
}

export function journeyDrill(request: DrillRequestDto): Promise<DrillDto> {
  return call<DrillDto>("journey_drill", { request });
}

/** Writes a chart's SVG into the Downloads folder; resolves with the file's path. */
export function exportChart(svg: string, name: string): Promise<string> {
  return call<string>("journey_export_chart", { svg, name });
}

/** What the filter form holds: empty strings mean "not set". */
export interface FilterForm {
  segment: string;
  from: string;
  to: string;
  groups: boolean;
}

export function emptyFilter(): FilterForm {
  return { segment: "", from: "", to: "", groups: false };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filter to send, or a message naming what is wrong with the form. */
export function buildFilter(form: FilterForm): JourneyFilterDto | string {
  const from = form.from.trim();
  const to = form.to.trim();
  if (from && !DAY.test(from)) return `"From" must be a date (YYYY-MM-DD), not "${from}".`;
  if (to && !DAY.test(to)) return `"To" must be a date (YYYY-MM-DD), not "${to}".`;
  if (from && to && from > to) return `The range starts (${from}) after it ends (${to}).`;
  return { segment: form.segment.trim() || null, from: from || null, to: to || null, groups: form.groups };
}

/** Funnel steps to send, or a message naming what is wrong. */
export function checkFunnelSteps(steps: readonly string[]): string[] | string {
  const chosen = steps.map((step) => step.trim()).filter((step) => step !== "");
  if (chosen.length < 2) return "A funnel needs at least two steps.";
  return chosen;
}

/** 42 → "42 s", 5400 → "1.5 h", 259200 → "3.0 days". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** 0.4567 → "45.7 %". */
export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

/** "web:home (step 1) → email:open (step 2)" for an edge of `map`. */
export function edgeName(map: PathMapDto, from: number, to: number): string {
  const a = map.nodes[from];
  const b = map.nodes[to];
  if (!a || !b) return `${from} → ${to}`;
  return `${a.label} (step ${a.step}) → ${b.label} (step ${b.step})`;
}

/** The edges of `map`, heaviest first (by distinct profiles, then occurrences). */
export function edgesByWeight(map: PathMapDto): PathMapDto["edges"] {
  return [...map.edges].sort((a, b) => b.profiles - a.profiles || b.occurrences - a.occurrences);
}

/**
 * A segment name derived from a drill-down description, valid in the
 * vocabulary (lower case letters, digits and underscores, starting with a letter).
 */
export function suggestSegmentName(description: string): string {
  const words = description
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const name = words.replace(/^[^a-z]+/, "");
  return (name || "journey_selection").slice(0, 48).replace(/_+$/, "");
}

/** The chart theme for the page's resolved theme. */
export function chartTheme(root: { dataset: DOMStringMap }): "light" | "dark" {
  return root.dataset.theme === "dark" ? "dark" : "light";
}

/** Saves every profile behind a drill-down as a new published segment. */
export function saveDrillAsSegment(
  request: DrillRequestDto,
  name: string,
  title: string,
): Promise<SavedSegmentDto> {
  return call<SavedSegmentDto>("journey_save_segment", { request, name, title });
}
