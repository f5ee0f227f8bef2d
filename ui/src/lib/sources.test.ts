import { describe, expect, it } from "vitest";
import type { SyncSummaryDto } from "./bindings/SyncSummaryDto";
import { emptySourceForm, newSourceDto, progressText, syncSummaryText, trackProgress, validateSourceForm } from "./sources";

describe("validateSourceForm", () => {
  it("asks for a name, the kind's own settings and a token", () => {
    expect(validateSourceForm(emptySourceForm())).toEqual({
      name: "Give the source a name.",
      shop: "Give the shop's myshopify subdomain.",
      token: "Paste the API token.",
    });
  });

  it("refuses bad names, names in use, bad addresses and emails", () => {
    const form = { ...emptySourceForm(), kind: "zendesk" as const, name: "Shop Main", subdomain: "acme", token: "t", baseUrl: "acme.test", email: "nope" };
    const errors = validateSourceForm(form);
    expect(Object.keys(errors).sort()).toEqual(["baseUrl", "email", "name"]);
    expect(validateSourceForm({ ...form, name: "zd", baseUrl: "", email: "" }, ["zd"]).name).toBe("A source named zd already exists.");
  });

  it("accepts a complete Mailchimp form", () => {
    const form = { ...emptySourceForm(), kind: "mailchimp" as const, name: "mc-1", listId: "abc", token: "key-us1" };
    expect(validateSourceForm(form)).toEqual({});
  });
});

describe("newSourceDto", () => {
  it("keeps only the kind's settings, trimmed, and never the token", () => {
    const form = { ...emptySourceForm(), kind: "stripe" as const, name: " billing ", shop: "left-over", baseUrl: " ", token: "sk_test" };
    const dto = newSourceDto(form);
    expect(dto).toEqual({
      name: "billing",
      kind: "stripe",
      baseUrl: null,
      shop: null,
      listId: null,
      subdomain: null,
      email: null,
      apiVersion: null,
      revision: null,
      pageSize: null,
    });
    expect(JSON.stringify(dto)).not.toContain("sk_test");
  });
});

describe("progress", () => {
  const syncing = { phase: "syncing", source: "shop", stream: "orders", pages: 3, records: 1200, recordsTotal: 0 };

  it("says source, stream, pages and records while syncing", () => {
    expect(progressText(syncing, "en-US")).toBe("shop · orders — 3 pages, 1,200 records");
    expect(progressText({ ...syncing, pages: 1, records: 1 }, "en-US")).toBe("shop · orders — 1 page, 1 record");
  });

  it("counts against the total while unifying", () => {
    expect(progressText({ ...syncing, phase: "unifying", records: 50, recordsTotal: 200 }, "en-US")).toBe(
      "Unifying: 50 of 200 records",
    );
  });

  it("keeps the latest report per stream", () => {
    let streams = trackProgress(new Map(), syncing);
    streams = trackProgress(streams, { ...syncing, stream: "customers" });
    streams = trackProgress(streams, { ...syncing, pages: 4 });
    expect([...streams.keys()]).toEqual(["shop/orders", "shop/customers"]);
    expect(streams.get("shop/orders")?.pages).toBe(4);
  });
});

describe("syncSummaryText", () => {
  const summary: SyncSummaryDto = {
    sources: [
      { source: "a", kind: "stripe", runId: 1, status: "succeeded", streams: [{ stream: "charges", pages: 1, records: 10, inserted: 10, updated: 0, unchanged: 0, completed: true }], error: null },
      { source: "b", kind: "hubspot", runId: 2, status: "failed", streams: [], error: "source b: token rejected" },
    ],
    unified: 10,
    quarantined: 2,
    cancelled: false,
    seconds: 1.5,
  };

  it("sums records and names failures", () => {
    expect(syncSummaryText(summary, "en-US")).toBe("Synced 2 sources: 10 records fetched, 10 unified, 2 quarantined, 1 failed.");
  });

  it("explains when there is nothing to sync", () => {
    expect(syncSummaryText({ ...summary, sources: [] })).toMatch(/no connected channel tools/);
  });
});
