// The Journeys view in the real window, checked against `parlance journey … --json`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { cli, openApp, scratch, screenshot, scrollToBottom } from "./support.mjs";

const TEST_TIMEOUT = 240_000;

describe("the Journeys view", { timeout: TEST_TIMEOUT * 3 }, () => {
  let warehouse;
  let exports;
  let paths;
  let funnel;

  before(() => {
    const dir = scratch("journeys");
    warehouse = path.join(dir, "demo.parlance");
    exports = process.env.PARLANCE_EXPORT_DIR;
    assert.ok(exports, "run.sh sets PARLANCE_EXPORT_DIR");
    cli(["--warehouse", warehouse, "demo", "--people", "300"]);
    paths = JSON.parse(cli(["--warehouse", warehouse, "journey", "paths", "--json"]));
    funnel = JSON.parse(
      cli(["--warehouse", warehouse, "journey", "funnel", "--step", "web:visit", "--step", "shop:purchase", "--json"]),
    );
  });

  it("draws the paths `parlance journey paths` finds and drills into a node", { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(paths.nodes.length > 0, "the demo has paths");
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      await browser.$('[data-testid="nav-journeys"]').click();
      await browser.$('[data-testid="journeys-view"]').waitForExist({ timeout: 30_000 });
      await browser.$('[data-testid="paths-run"]').click();
      const summary = await browser.$('[data-testid="paths-summary"]');
      await summary.waitForExist({ timeout: 60_000 });
      assert.equal(Number(await summary.getAttribute("data-sequences")), paths.sequences);
      assert.equal(Number(await summary.getAttribute("data-profiles")), paths.profiles);
      assert.ok(await browser.$('[data-testid="paths-chart"] svg').isExisting(), "the Sankey chart is drawn inline");
      const nodes = await browser.$$('[data-testid="paths-node"]');
      assert.equal(nodes.length, paths.nodes.length);
      await screenshot(browser, "20-journeys-paths");

      await browser.$('[data-testid="paths-node-drill"]').click();
      const count = await browser.$('[data-testid="journeys-drill-count"]');
      await count.waitForExist({ timeout: 30_000 });
      const drilled = JSON.parse(cli(["--warehouse", warehouse, "journey", "paths", "--drill", "0", "--json"]));
      assert.equal(Number(await count.getAttribute("data-value")), drilled.count, "the drill-down counts the CLI's profiles");
      assert.equal(drilled.count, paths.nodes[0].profiles, "a node's drill-down holds its profiles");

      await browser.$('[data-testid="paths-chart-export"]').click();
      const exported = await browser.$('[data-testid="paths-chart-exported"]');
      await exported.waitForExist({ timeout: 10_000 });
      const file = (await exported.getText()).replace(/^Saved to /, "");
      assert.ok(file.startsWith(exports), `exported into PARLANCE_EXPORT_DIR: ${file}`);
      assert.match(readFileSync(file, "utf8"), /^<svg/);
      await scrollToBottom(browser);
      await screenshot(browser, "20b-journeys-paths-tables");
    } finally {
      await browser.deleteSession();
    }
  });

  it("counts the funnel steps `parlance journey funnel` counts", { timeout: TEST_TIMEOUT }, async () => {
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      await browser.$('[data-testid="nav-journeys"]').click();
      await browser.$('[data-testid="journeys-tab-funnel"]').click();
      await browser.$('[data-testid="funnel-run"]').click();
      assert.match(await browser.$('[data-testid="funnel-invalid"]').getText(), /at least two steps/);
      const selects = await browser.$$('[data-testid="funnel-step"]');
      await selects[0].selectByAttribute("value", "web:visit");
      await selects[1].selectByAttribute("value", "shop:purchase");
      await browser.$('[data-testid="funnel-run"]').click();
      await browser.$('[data-testid="funnel-summary"]').waitForExist({ timeout: 60_000 });
      const rows = await browser.$$('[data-testid="funnel-row"]');
      assert.equal(rows.length, funnel.steps.length);
      for (const [i, step] of funnel.steps.entries()) {
        assert.equal(Number(await rows[i].getAttribute("data-profiles")), step.profiles, `step ${i + 1}`);
      }
      assert.ok(await browser.$('[data-testid="funnel-chart"] svg').isExisting());
      await screenshot(browser, "21-journeys-funnel");
    } finally {
      await browser.deleteSession();
    }
  });

  it("shows stage flows and rejects a reversed date range", { timeout: TEST_TIMEOUT }, async () => {
    const stages = JSON.parse(cli(["--warehouse", warehouse, "journey", "stages", "--json"]));
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      await browser.$('[data-testid="nav-journeys"]').click();
      await browser.$('[data-testid="journeys-tab-stages"]').click();
      await browser.$('[data-testid="stages-run"]').click();
      await browser.$('[data-testid="stages-summary"]').waitForExist({ timeout: 120_000 });
      const rows = await browser.$$('[data-testid="stages-row"]');
      assert.equal(rows.length, stages.periods.length);
      assert.ok(await browser.$('[data-testid="stages-chart"] svg').isExisting());
      await screenshot(browser, "22-journeys-stages");
      await browser.execute(() => (document.documentElement.dataset.theme = "dark"));
      await browser.$('[data-testid="stages-run"]').click();
      await browser.$('[data-testid="stages-summary"]').waitForExist({ timeout: 120_000 });
      await screenshot(browser, "22b-journeys-stages-dark");

      await browser.$('[data-testid="journeys-from"]').setValue("2026-05-01");
      await browser.$('[data-testid="journeys-to"]').setValue("2026-04-01");
      await browser.$('[data-testid="stages-run"]').click();
      assert.match(await browser.$('[data-testid="stages-invalid"]').getText(), /after it ends/);
    } finally {
      await browser.deleteSession();
    }
  });
});
