import { describe, expect, it } from "vitest";
import type { LayersDto } from "./bindings/LayersDto";
import type { SourceDto } from "./bindings/SourceDto";
import { headlineFigures, sourceLastFetched, sourceTestId, statusTone, tableRows } from "./overview";

const layers: LayersDto = {
  landing: 456789,
  quarantined: 3,
  unified: [
    { table: "profiles", label: "Profiles", rows: 20000 },
    { table: "events", label: "Events", rows: 0 },
  ],
  derived: [],
};

describe("headlineFigures", () => {
  it("takes landing from the layer and the rest from the unified tables by name", () => {
    expect(headlineFigures(layers).map((figure) => [figure.testid, figure.value])).toEqual([
      ["landing-count", 456789],
      ["profiles-count", 20000],
      ["events-count", 0],
      ["orders-count", null],
    ]);
  });
});

describe("tableRows", () => {
  it("is null for a table the warehouse does not have", () => {
    expect(tableRows(layers.unified, "traits")).toBeNull();
    expect(tableRows(layers.unified, "profiles")).toBe(20000);
  });
});

describe("statusTone", () => {
  it("colours the usual run statuses", () => {
    expect(statusTone("succeeded")).toBe("success");
    expect(statusTone("completed")).toBe("success");
    expect(statusTone("failed")).toBe("danger");
    expect(statusTone("running")).toBe("progress");
    expect(statusTone("cancelled")).toBe("warning");
    expect(statusTone("Canceled")).toBe("warning");
    expect(statusTone("mystery")).toBe("neutral");
  });
});

describe("sourceLastFetched", () => {
  it("is the latest fetch over the source's streams", () => {
    const source: SourceDto = {
      name: "demo-shop",
      kind: "shopify",
      records: 3,
      lastRun: null,
      streams: [
        { stream: "customers", records: 1, lastFetchedAt: "2025-03-01T09:00:00Z" },
        { stream: "orders", records: 2, lastFetchedAt: "2025-03-02T09:00:00Z" },
        { stream: "refunds", records: 0, lastFetchedAt: null },
      ],
    };
    expect(sourceLastFetched(source)).toBe("2025-03-02T09:00:00Z");
    expect(sourceLastFetched({ ...source, streams: [] })).toBeNull();
  });
});

describe("sourceTestId", () => {
  it("keeps simple names and slugs the rest", () => {
    expect(sourceTestId("demo-shop")).toBe("source-row-demo-shop");
    expect(sourceTestId("Demo Shop (EU)")).toBe("source-row-demo-shop-eu");
    expect(sourceTestId("???")).toBe("source-row-unnamed");
  });
});
