// The Sources & syncs view's logic: the new-source form (what each kind
// asks for, validation, the DTO it becomes) and the text of sync progress.
// Pure functions; the component only wires them up.

import type { NewSourceDto } from "./bindings/NewSourceDto";
import type { SyncProgressDto } from "./bindings/SyncProgressDto";
import type { SyncSummaryDto } from "./bindings/SyncSummaryDto";
import { formatCount, formatQuantity } from "./format";

/** The connector kinds, in the order the form lists them. */
export const SOURCE_KINDS = ["shopify", "stripe", "hubspot", "mailchimp", "klaviyo", "zendesk"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const KIND_LABELS: Readonly<Record<SourceKind, string>> = {
  shopify: "Shopify",
  stripe: "Stripe",
  hubspot: "HubSpot",
  mailchimp: "Mailchimp",
  klaviyo: "Klaviyo",
  zendesk: "Zendesk",
};

/** The settings a kind needs besides the token (the API refuses any other). */
export type SettingField = "shop" | "listId" | "subdomain" | "email";

export const KIND_FIELDS: Readonly<Record<SourceKind, readonly SettingField[]>> = {
  shopify: ["shop"],
  stripe: [],
  hubspot: [],
  mailchimp: ["listId"],
  klaviyo: [],
  zendesk: ["subdomain", "email"],
};

export const FIELD_LABELS: Readonly<Record<SettingField, string>> = {
  shop: "Shop (myshopify subdomain)",
  listId: "Audience id",
  subdomain: "Zendesk subdomain",
  email: "Agent email (optional)",
};

/** The form as typed. */
export interface SourceForm {
  name: string;
  kind: SourceKind;
  baseUrl: string;
  shop: string;
  listId: string;
  subdomain: string;
  email: string;
  token: string;
}

export function emptySourceForm(): SourceForm {
  return { name: "", kind: "shopify", baseUrl: "", shop: "", listId: "", subdomain: "", email: "", token: "" };
}

/** Field → message, for the fields that are wrong; empty when the form may be sent. */
export type FormErrors = Partial<Record<keyof SourceForm, string>>;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * What is wrong with the form, field by field (the API checks again; this
 * only spares a round trip for the obvious). `existing` are the names in use.
 */
export function validateSourceForm(form: SourceForm, existing: readonly string[] = []): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name === "") errors.name = "Give the source a name.";
  else if (!NAME.test(name)) {
    errors.name = "Use 1–64 characters of a–z, 0–9, '-', '_' or '.', starting with a letter or digit.";
  } else if (existing.includes(name)) errors.name = `A source named ${name} already exists.`;
  if (!SOURCE_KINDS.includes(form.kind)) errors.kind = "Choose a kind.";
  const baseUrl = form.baseUrl.trim();
  if (baseUrl !== "" && !/^https?:\/\/[^\s/]+/i.test(baseUrl)) errors.baseUrl = "Give a full address, like https://…";
  if (form.kind === "shopify" && form.shop.trim() === "" && baseUrl === "") {
    errors.shop = "Give the shop's myshopify subdomain.";
  }
  if (form.kind === "mailchimp" && form.listId.trim() === "") errors.listId = "Give the audience id.";
  if (form.kind === "zendesk" && form.subdomain.trim() === "" && baseUrl === "") {
    errors.subdomain = "Give the zendesk.com subdomain.";
  }
  if (form.email.trim() !== "" && !/^[^\s@]+@[^\s@]+$/.test(form.email.trim())) errors.email = "That is not an email address.";
  if (form.token.trim() === "") errors.token = "Paste the API token.";
  return errors;
}

function setting(form: SourceForm, field: SettingField): string | null {
  if (!KIND_FIELDS[form.kind].includes(field)) return null;
  const value = form[field].trim();
  return value === "" ? null : value;
}

/** The DTO the form becomes: only the kind's own settings, blanks left out (the kind's defaults apply). */
export function newSourceDto(form: SourceForm): NewSourceDto {
  const baseUrl = form.baseUrl.trim();
  return {
    name: form.name.trim(),
    kind: form.kind,
    baseUrl: baseUrl === "" ? null : baseUrl,
    shop: setting(form, "shop"),
    listId: setting(form, "listId"),
    subdomain: setting(form, "subdomain"),
    email: setting(form, "email"),
    apiVersion: null,
    revision: null,
    pageSize: null,
  };
}

/** The line under a stream while a sync runs: "orders — 3 pages, 1,200 records". */
export function progressText(progress: SyncProgressDto, locale?: string): string {
  if (progress.phase === "unifying") {
    return progress.recordsTotal > 0
      ? `Unifying: ${formatCount(progress.records, locale)} of ${formatCount(progress.recordsTotal, locale)} records`
      : `Unifying: ${formatQuantity(progress.records, "record", "records", locale)}`;
  }
  return (
    `${progress.source} · ${progress.stream} — ${formatQuantity(progress.pages, "page", "pages", locale)}, ` +
    formatQuantity(progress.records, "record", "records", locale)
  );
}

/** The latest progress per source and stream, keyed "source/stream", in arrival order. */
export function trackProgress(
  streams: ReadonlyMap<string, SyncProgressDto>,
  progress: SyncProgressDto,
): Map<string, SyncProgressDto> {
  const next = new Map(streams);
  const key = progress.phase === "unifying" ? "(unifying)" : `${progress.source}/${progress.stream}`;
  next.set(key, progress);
  return next;
}

/** One sentence saying how a sync went. */
export function syncSummaryText(summary: SyncSummaryDto, locale?: string): string {
  if (summary.sources.length === 0) {
    return "There are no connected channel tools to sync (the demo and imported files are not synced).";
  }
  const failed = summary.sources.filter((source) => source.status === "failed").length;
  const records = summary.sources.reduce(
    (sum, source) => sum + source.streams.reduce((inner, stream) => inner + stream.records, 0),
    0,
  );
  const parts = [
    `${summary.cancelled ? "Sync cancelled" : "Synced"} ${formatQuantity(summary.sources.length, "source", "sources", locale)}: ` +
      `${formatQuantity(records, "record", "records", locale)} fetched`,
  ];
  if (!summary.cancelled) parts.push(`${formatCount(summary.unified, locale)} unified`);
  if (summary.quarantined > 0) parts.push(`${formatCount(summary.quarantined, locale)} quarantined`);
  if (failed > 0) parts.push(`${formatCount(failed, locale)} failed`);
  return `${parts.join(", ")}.`;
}
