// Reading an OverviewDto for display: headline figures, run status tones and
// the honest hints shown next to layers that are still empty.

import type { LayersDto } from "./bindings/LayersDto";
import type { SourceDto } from "./bindings/SourceDto";
import type { TableCountDto } from "./bindings/TableCountDto";
import { latestInstant } from "./format";

/** Rows in a layer table, found by its table name; null if the warehouse has no such table. */
export function tableRows(tables: readonly TableCountDto[], table: string): number | null {
  return tables.find((entry) => entry.table === table)?.rows ?? null;
}

export interface Headline {
  label: string;
  value: number | null;
  testid: string;
  /** Shown under the number when it is zero, saying what fills it. */
  emptyHint: string;
}

/** The four numbers at the top of the Overview. */
export function headlineFigures(layers: LayersDto): Headline[] {
  return [
    { label: "Landing records", value: layers.landing, testid: "landing-count", emptyHint: "filled by syncs and imports" },
    { label: "Profiles", value: tableRows(layers.unified, "profiles"), testid: "profiles-count", emptyHint: "filled by normalisation" },
    { label: "Events", value: tableRows(layers.unified, "events"), testid: "events-count", emptyHint: "filled by normalisation" },
    { label: "Orders", value: tableRows(layers.unified, "orders"), testid: "orders-count", emptyHint: "filled by normalisation" },
  ];
}

/** What fills an empty table of a layer. */
export function emptyLayerHint(layer: "unified" | "derived"): string {
  return layer === "unified" ? "filled by normalisation" : "computed after normalisation";
}

export type StatusTone = "success" | "danger" | "warning" | "progress" | "neutral";

/** A colour for a sync run's status, whatever words the API uses for it. */
export function statusTone(status: string): StatusTone {
  const word = status.toLowerCase();
  if (/(fail|error|abort)/.test(word)) return "danger";
  if (/cancel|partial|interrupt/.test(word)) return "warning";
  if (/(run|progress|pending|start)/.test(word)) return "progress";
  if (/(succe|complete|done|ok|finish)/.test(word)) return "success";
  return "neutral";
}

/** When any stream of a source was last fetched. */
export function sourceLastFetched(source: SourceDto): string | null {
  return latestInstant(source.streams.map((stream) => stream.lastFetchedAt));
}

/** A stable, attribute-safe id for a source ("Demo Shop" -> "demo-shop"). */
export function sourceTestId(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `source-row-${slug || "unnamed"}`;
}
