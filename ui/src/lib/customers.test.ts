import { describe, expect, it } from "vitest";
import type { CustomerIdentifierDto } from "./bindings/CustomerIdentifierDto";
import type { CustomerTraitDto } from "./bindings/CustomerTraitDto";
import type { TimelineEntryDto } from "./bindings/TimelineEntryDto";
import {
  channelOf,
  entryDetail,
  entryRevenue,
  eventLabel,
  formatMoney,
  groupIdentifiers,
  orderTraits,
  traitLabel,
} from "./customers";

const base: TimelineEntryDto = {
  at: "2025-03-01T09:30:00Z",
  channel: "web",
  name: "web.page_view",
  kind: "event",
  source: "web",
  landingId: 1,
  revenue: null,
  propertiesJson: "{}",
  order: null,
  support: null,
};

describe("timeline entries", () => {
  it("labels channels and events, falling back for unknown ones", () => {
    expect(channelOf("email").label).toBe("Email");
    expect(channelOf("fax").label).toBe("fax");
    expect(eventLabel("web.page_view")).toBe("Page view");
    expect(eventLabel("shop.order")).toBe("Order");
  });

  it("shows revenue signed in the order's currency, and nothing without revenue", () => {
    const order = { ...base, channel: "shop", name: "shop.order", kind: "order", revenue: 42.5, order: { sourceOrderId: "1001", amount: 42.5, currency: "USD", status: "partially_refunded", refundedAmount: 10 } };
    expect(entryRevenue(order, "en-US")).toBe("+$42.50");
    expect(entryRevenue({ ...order, revenue: -10 }, "en-US")).toBe("-$10.00");
    expect(entryRevenue(base, "en-US")).toBeNull();
    expect(entryDetail(order, "en-US")).toBe("Order 1001 · partially refunded · $10.00 refunded");
  });

  it("takes the currency from the properties when there is no order", () => {
    expect(entryRevenue({ ...base, revenue: 5, propertiesJson: '{"currency":"EUR"}' }, "en-US")).toBe("+€5.00");
    expect(formatMoney(5, "not-a-currency", "en-US")).toBe("5.00");
  });

  it("describes a support contact", () => {
    const contact = { ...base, channel: "support", support: { sourceContactId: "7", channel: "email", reason: "billing" } };
    expect(entryDetail(contact)).toBe("Email contact · billing");
  });
});

describe("profile parts", () => {
  const trait = (key: string, attitudinal: boolean): CustomerTraitDto => ({ key, valueJson: "1", text: "1", source: "s", observedAt: "2025-01-01T00:00:00Z", attitudinal });

  it("puts attitudinal answers first", () => {
    expect(orderTraits([trait("city", false), trait("survey.nps", true), trait("age", false)]).map((t) => t.key)).toEqual(["survey.nps", "age", "city"]);
    expect(traitLabel("survey.nps")).toBe("Survey · nps");
    expect(traitLabel("first_name")).toBe("First name");
  });

  it("groups identifiers by family, emails first", () => {
    const id = (family: string, value: string): CustomerIdentifierDto => ({ kind: family, family, value, source: "s", firstSeen: "2025-01-01T00:00:00Z", record: null });
    expect(groupIdentifiers([id("device_id", "d"), id("email", "a@x"), id("customer_id", "c"), id("email", "b@x")]).map(([family, list]) => [family, list.length])).toEqual([
      ["email", 2],
      ["customer_id", 1],
      ["device_id", 1],
    ]);
  });
});
