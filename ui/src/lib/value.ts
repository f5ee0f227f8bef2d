// The Value view's logic: bar widths, model parameters, hold-out rows.
// Pure functions; the component only wires them up.

import type { HoldoutGroupDto } from "./bindings/HoldoutGroupDto";
import { APP_LOCALE } from "./locale";
import { MISSING } from "./format";

/** A bar's width as a CSS percentage of the largest value (0% for nothing, never negative). */
export function barWidth(value: number, max: number): string {
  if (!(max > 0) || !(value > 0)) return "0%";
  return `${Math.min(100, (value / max) * 100).toFixed(1)}%`;
}

/** The largest of some values, 0 when there are none. */
export function maxOf(values: readonly number[]): number {
  return values.reduce((max, value) => (value > max ? value : max), 0);
}

/** A model parameter: four significant digits, grouped ("0.2431", "12.35", "-1,234"). */
export function formatParameter(value: number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  return new Intl.NumberFormat(locale ?? APP_LOCALE, { maximumSignificantDigits: 4 }).format(value);
}

/** A hold-out frequency group: "0", "1", …, "7+" for the pooled group. */
export function frequencyLabel(group: HoldoutGroupDto): string {
  return group.pooled ? `${group.frequency}+` : String(group.frequency);
}

/** Predicted minus actual, as a signed share of actual: "+4.2%"; "—" when nothing happened. */
export function holdoutError(group: HoldoutGroupDto, locale?: string): string {
  if (!(group.meanActual > 0)) return MISSING;
  const share = (group.meanPredicted - group.meanActual) / group.meanActual;
  return new Intl.NumberFormat(locale ?? APP_LOCALE, { style: "percent", maximumFractionDigits: 1, signDisplay: "always" }).format(share);
}

/** A share of a whole as a percentage ("12.5%"). */
export function formatShare(part: number, whole: number, locale?: string): string {
  if (!(whole > 0)) return MISSING;
  return new Intl.NumberFormat(locale ?? APP_LOCALE, { style: "percent", maximumFractionDigits: 1 }).format(part / whole);
}
