// The Customers view's logic: how a timeline entry reads (channel label and
// glyph, what happened, revenue) and how identifiers and traits are grouped.
// Pure functions; the component only wires them up.

import type { CustomerIdentifierDto } from "./bindings/CustomerIdentifierDto";
import type { CustomerTraitDto } from "./bindings/CustomerTraitDto";
import type { TimelineEntryDto } from "./bindings/TimelineEntryDto";
import { APP_LOCALE } from "./locale";
import { MISSING } from "./format";

/** The channels a touchpoint can come from, with a label and an SVG path (24×24, stroked). */
export const CHANNELS: Readonly<Record<string, { label: string; path: string }>> = {
  web: { label: "Web", path: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M3 12h18 M12 3c2.5 2.7 3.5 5.7 3.5 9s-1 6.3-3.5 9c-2.5-2.7-3.5-5.7-3.5-9s1-6.3 3.5-9z" },
  ads: { label: "Ads", path: "M4 10v4h3l6 4V6l-6 4z M17 9a4 4 0 0 1 0 6" },
  email: { label: "Email", path: "M3 6h18v12H3z M3 7l9 6 9-6" },
  shop: { label: "Shop", path: "M5 8h14l-1 12H6z M9 8V6a3 3 0 0 1 6 0v2" },
  support: { label: "Support", path: "M4 13a8 8 0 0 1 16 0v4h-3v-5h3 M4 12h3v5H4z" },
  survey: { label: "Survey", path: "M6 4h12v16H6z M9 9h6 M9 13h6 M9 17h3" },
  payments: { label: "Payments", path: "M3 6h18v12H3z M3 10h18 M7 15h4" },
};

const OTHER = { label: "Other", path: "M12 12h.01 M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z" };

export function channelOf(channel: string): { label: string; path: string } {
  return CHANNELS[channel] ?? { ...OTHER, label: channel || OTHER.label };
}

/** "web.page_view" -> "Page view"; "shop.order" -> "Order". */
export function eventLabel(name: string): string {
  const last = name.includes(".") ? name.slice(name.indexOf(".") + 1) : name;
  const words = last.replace(/[._]+/g, " ").trim();
  return words === "" ? name : words.charAt(0).toUpperCase() + words.slice(1);
}

/** Money: "$12.50" in the record's currency; the bare amount when the currency is unknown or invalid. */
export function formatMoney(amount: number | null | undefined, currency?: string | null, locale?: string): string {
  if (amount === null || amount === undefined || Number.isNaN(amount)) return MISSING;
  if (currency && /^[A-Za-z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(locale ?? APP_LOCALE, { style: "currency", currency: currency.toUpperCase() }).format(amount);
    } catch {
      // fall through to the plain number
    }
  }
  return new Intl.NumberFormat(locale ?? APP_LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
}

/** The currency a touchpoint's revenue is in: its order's, else a `currency` property. */
export function entryCurrency(entry: TimelineEntryDto): string | null {
  if (entry.order?.currency) return entry.order.currency;
  try {
    const properties = JSON.parse(entry.propertiesJson) as Record<string, unknown>;
    return typeof properties.currency === "string" ? properties.currency : null;
  } catch {
    return null;
  }
}

/** One line of detail: the order's status and amount, the support reason, or nothing. */
export function entryDetail(entry: TimelineEntryDto, locale?: string): string | null {
  if (entry.order) {
    const parts = [`Order ${entry.order.sourceOrderId}`, entry.order.status.replace(/_/g, " ")];
    if (entry.order.refundedAmount > 0) parts.push(`${formatMoney(entry.order.refundedAmount, entry.order.currency, locale)} refunded`);
    return parts.join(" · ");
  }
  if (entry.support) {
    return [`${eventLabel(entry.support.channel)} contact`, entry.support.reason].filter(Boolean).join(" · ");
  }
  return null;
}

/** Revenue as shown: signed, in the entry's currency; null when the touchpoint has none. */
export function entryRevenue(entry: TimelineEntryDto, locale?: string): string | null {
  if (entry.revenue === null || entry.revenue === 0) return null;
  const text = formatMoney(entry.revenue, entryCurrency(entry), locale);
  return entry.revenue > 0 ? `+${text}` : text;
}

/** Attitudinal answers (survey.*) first, then the rest, each by key. */
export function orderTraits(traits: readonly CustomerTraitDto[]): CustomerTraitDto[] {
  return [...traits].sort((a, b) => Number(b.attitudinal) - Number(a.attitudinal) || a.key.localeCompare(b.key));
}

/** "survey.nps" -> "Survey · nps"; "first_name" -> "First name". */
export function traitLabel(key: string): string {
  if (key.startsWith("survey.")) return `Survey · ${key.slice("survey.".length).replace(/_/g, " ")}`;
  return eventLabel(key);
}

/** Identifiers grouped by family (email, phone, customer id, …) in a fixed order. */
export function groupIdentifiers(identifiers: readonly CustomerIdentifierDto[]): [string, CustomerIdentifierDto[]][] {
  const order = ["email", "phone", "customer_id", "anonymous_id", "device_id"];
  const groups = new Map<string, CustomerIdentifierDto[]>();
  for (const identifier of identifiers) {
    const list = groups.get(identifier.family) ?? [];
    list.push(identifier);
    groups.set(identifier.family, list);
  }
  const rank = (family: string) => (order.includes(family) ? order.indexOf(family) : order.length);
  return [...groups].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** "customer_id" -> "Customer id". */
export function familyLabel(family: string): string {
  return eventLabel(family);
}
