// What the first-start screen says while the demo warehouse is being created.

import type { DemoProgressDto } from "./bindings/DemoProgressDto";
import { formatCount } from "./format";

/** "Creating the demo warehouse — 12,345 of 20,000 people, 456,789 records". */
export function demoProgressText(progress: DemoProgressDto | null, locale?: string): string {
  if (!progress) return "Creating the demo warehouse…";
  const people = `${formatCount(progress.peopleDone, locale)} of ${formatCount(progress.peopleTotal, locale)} people`;
  const records = `${formatCount(progress.records, locale)} ${progress.records === 1 ? "record" : "records"}`;
  return `Creating the demo warehouse — ${people}, ${records}`;
}

/** Share of people done, between 0 and 1 (0 while the total is unknown). */
export function demoProgressFraction(progress: DemoProgressDto | null): number {
  if (!progress || !(progress.peopleTotal > 0)) return 0;
  const fraction = progress.peopleDone / progress.peopleTotal;
  if (!Number.isFinite(fraction)) return 0;
  return Math.min(1, Math.max(0, fraction));
}

/** Whole percent for the progress bar's accessible value. */
export function demoProgressPercent(progress: DemoProgressDto | null): number {
  return Math.floor(demoProgressFraction(progress) * 100);
}

/** A phase name from the API ("landing-records", "generating_people") as a sentence: "Landing records". */
export function phaseLabel(phase: string): string {
  const words = phase.trim().replace(/[-_]+/g, " ").replace(/\s+/g, " ").toLowerCase();
  if (!words) return "";
  return words.charAt(0).toUpperCase() + words.slice(1);
}
