// What the first-start screen says while the demo warehouse is being created.
// The API reports two phases: "landing" (people generated and their records
// landed) and then "unifying" (records normalised into profiles).

import type { DemoProgressDto } from "./bindings/DemoProgressDto";
import { formatCount } from "./format";

function records(count: number, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? "record" : "records"}`;
}

/**
 * "Creating the demo warehouse — 12,345 of 20,000 people, 456,789 records" while
 * landing; "Unifying the demo warehouse — 1,234 of 456,789 records" after.
 */
export function demoProgressText(progress: DemoProgressDto | null, locale?: string): string {
  if (!progress) return "Creating the demo warehouse…";
  if (progress.phase === "unifying") {
    const done =
      progress.recordsTotal > 0
        ? `${formatCount(progress.records, locale)} of ${records(progress.recordsTotal, locale)}`
        : records(progress.records, locale);
    return `Unifying the demo warehouse — ${done}`;
  }
  const people = `${formatCount(progress.peopleDone, locale)} of ${formatCount(progress.peopleTotal, locale)} people`;
  return `Creating the demo warehouse — ${people}, ${records(progress.records, locale)}`;
}

function share(done: number, total: number): number {
  if (!(total > 0)) return 0;
  const fraction = done / total;
  if (!Number.isFinite(fraction)) return 0;
  return Math.min(1, Math.max(0, fraction));
}

/** How far the current phase is, between 0 and 1 (0 while its total is unknown). */
export function demoProgressFraction(progress: DemoProgressDto | null): number {
  if (!progress) return 0;
  if (progress.phase === "unifying") return share(progress.records, progress.recordsTotal);
  return share(progress.peopleDone, progress.peopleTotal);
}

/** Whole percent for the progress bar's accessible value. */
export function demoProgressPercent(progress: DemoProgressDto | null): number {
  return Math.floor(demoProgressFraction(progress) * 100);
}

/** "Step 1 of 2 · Landing records" — which phase is running, in words. */
export function demoPhaseText(progress: DemoProgressDto | null): string {
  if (!progress) return "Starting";
  switch (progress.phase) {
    case "landing":
      return "Step 1 of 2 · Landing records";
    case "unifying":
      return "Step 2 of 2 · Unifying into profiles";
    default:
      return phaseLabel(progress.phase);
  }
}

/** A phase name from the API ("landing-records", "generating_people") as a sentence: "Landing records". */
export function phaseLabel(phase: string): string {
  const words = phase.trim().replace(/[-_]+/g, " ").replace(/\s+/g, " ").toLowerCase();
  if (!words) return "";
  return words.charAt(0).toUpperCase() + words.slice(1);
}
