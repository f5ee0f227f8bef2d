// The Segments view in the real window, checked against `parlance segment … --json`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { cli, openApp, scratch, screenshot, scrollToBottom } from "./support.mjs";

const TEST_TIMEOUT = 240_000;
const SEGMENTS = ["promoters", "detractors"];
const PAGE = 50;

describe("the Segments view", { timeout: TEST_TIMEOUT * 2 }, () => {
  let dir;
  let warehouse;
  let exports;
  const evaluated = {};

  before(() => {
    dir = scratch("segments");
    warehouse = path.join(dir, "demo.parlance");
    exports = process.env.PARLANCE_EXPORT_DIR;
    assert.ok(exports, "run.sh sets PARLANCE_EXPORT_DIR");
    cli(["--warehouse", warehouse, "demo", "--people", "400"]);
    for (const name of SEGMENTS) {
      evaluated[name] = JSON.parse(cli(["--warehouse", warehouse, "segment", "eval", name, "--json"]));
      assert.ok(evaluated[name].members > 0, `the demo has ${name}`);
    }
  });

  it("lists what `segment eval` counts, pages members, explains one and exports them", { timeout: TEST_TIMEOUT }, async () => {
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      await browser.$('[data-testid="nav-segments"]').click();
      await browser.$('[data-testid="segments-list"]').waitForExist({ timeout: 60_000 });

      // The list's counts are the CLI's.
      for (const name of SEGMENTS) {
        const cell = await browser.$(`[data-testid="segment-row"][data-name="${name}"] [data-testid="segment-members"]`);
        assert.equal(Number(await cell.getAttribute("data-value")), evaluated[name].members, name);
      }

      // Select one: the first page of members is the CLI's first 50 ids.
      const name = SEGMENTS[0];
      const expected = evaluated[name];
      await browser.$(`[data-testid="segment-row"][data-name="${name}"] [data-testid="segment-select"]`).click();
      await browser.$(`[data-testid="segment-detail"][data-name="${name}"]`).waitForExist({ timeout: 30_000 });
      await browser.waitUntil(
        async () => {
          const rows = await browser.$$('[data-testid="member-row"]');
          if (rows.length === 0) return false;
          return Number(await rows[0].getAttribute("data-profile")) === expected.profiles[0];
        },
        { timeout: 30_000, timeoutMsg: "the members table shows the selected segment" },
      );
      const rows = await browser.$$('[data-testid="member-row"]');
      const ids = [];
      for (const row of rows) ids.push(Number(await row.getAttribute("data-profile")));
      assert.deepEqual(ids, expected.profiles.slice(0, PAGE));
      const figure = await browser.$('[data-testid="segment-figure-members"]');
      assert.equal(Number(await figure.getAttribute("data-value")), expected.members);

      // The charts are drawn inline.
      await browser.$('[data-testid="segment-sizes-chart"] svg').waitForExist({ timeout: 30_000 });
      await browser.$('[data-testid="segment-overlap-chart"] svg').waitForExist({ timeout: 30_000 });
      // The promoters and detractors share no one.
      const shared = await browser.$(`[data-testid="overlap-row"][data-name="${SEGMENTS[1]}"] [data-testid="overlap-both"]`);
      assert.equal(await shared.getText(), "0");
      await screenshot(browser, "30-segments-light");
      await browser.execute(() => document.querySelector('[data-testid="segment-detail"]')?.scrollIntoView());
      await screenshot(browser, "30a-segments-detail-light");

      // Search by a profile id.
      const wanted = expected.profiles[expected.profiles.length - 1];
      await browser.$('[data-testid="members-search"]').setValue(String(wanted));
      await browser.$('[data-testid="members-search-submit"]').click();
      await browser.waitUntil(
        async () => {
          const found = await browser.$$('[data-testid="member-row"]');
          return found.length === 1 && Number(await found[0].getAttribute("data-profile")) === wanted;
        },
        { timeout: 30_000, timeoutMsg: `searching ${wanted} finds that member only` },
      );

      // Explain: the CLI agrees it is a member.
      await browser.$('[data-testid="member-explain"]').click();
      const explanation = await browser.$('[data-testid="member-explanation"]');
      await explanation.waitForExist({ timeout: 30_000 });
      const cliExplain = JSON.parse(
        cli(["--warehouse", warehouse, "segment", "eval", name, "--explain", String(wanted), "--json"]),
      );
      assert.equal(cliExplain.member, true);
      assert.match(await explanation.getText(), new RegExp(`Why profile ${wanted} is in ${name}`));

      // Export: the file is in the export folder with the CLI's rows.
      await browser.$('[data-testid="segment-export"]').click();
      const notice = await browser.$('[data-testid="segments-notice-message"]');
      await notice.waitForExist({ timeout: 60_000 });
      const match = /^Exported .* to (.+)$/.exec(await notice.getText());
      assert.ok(match, await notice.getText());
      const file = match[1];
      assert.ok(file.startsWith(exports), `exported into PARLANCE_EXPORT_DIR: ${file}`);
      const cliFile = path.join(dir, "cli.csv");
      cli(["--warehouse", warehouse, "segment", "export", name, "--csv", cliFile]);
      const text = readFileSync(file, "utf8");
      assert.equal(text.trim().split("\n").length, expected.members + 1, "a header and one row per member");
      assert.equal(text, readFileSync(cliFile, "utf8"), "the same rows as `parlance segment export`");

      await scrollToBottom(browser);
      await screenshot(browser, "30b-segments-members-light");
      await browser.execute(() => (document.documentElement.dataset.theme = "dark"));
      // The charts are redrawn for the dark theme.
      await browser.waitUntil(
        async () => (await browser.$('[data-testid="segment-overlap-chart"]').getHTML()).includes("svg"),
        { timeout: 30_000 },
      );
      await browser.execute(() => {
        const main = document.querySelector("main");
        if (main) main.scrollTop = 0;
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await screenshot(browser, "31-segments-dark");
      await browser.execute(() => document.querySelector('[data-testid="segment-detail"]')?.scrollIntoView());
      await new Promise((resolve) => setTimeout(resolve, 500));
      await screenshot(browser, "31a-segments-detail-dark");
      await scrollToBottom(browser);
      await screenshot(browser, "31b-segments-members-dark");
    } finally {
      await browser.deleteSession();
    }
  });
});
