// The real Parlance window, driven over WebDriver. Run with ./run.sh.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import {
  cli,
  cliStatus,
  countFormatter,
  focusedTestId,
  openApp,
  scratch,
  screenshot,
  scrollToBottom,
  textOf,
} from "./support.mjs";

const TEST_TIMEOUT = 240_000;

describe("an existing warehouse", { timeout: TEST_TIMEOUT * 3 }, () => {
  let warehouse;
  let status;

  before(() => {
    warehouse = path.join(scratch("existing"), "demo.parlance");
    cli(["--warehouse", warehouse, "demo", "--people", "400"]);
    status = cliStatus(warehouse);
    assert.ok(status.layers.landing > 0, "the CLI made a demo warehouse with records in it");
    assert.ok(status.sources.length > 0, "the CLI's demo has sources");
  });

  it("shows exactly the counts `parlance status --json` reports", { timeout: TEST_TIMEOUT }, async () => {
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      const format = await countFormatter(browser);
      await screenshot(browser, "01-overview-light");

      assert.equal(await textOf(browser, "landing-count"), format(status.layers.landing));
      assert.equal(await textOf(browser, "quarantined-count"), format(status.layers.quarantined));
      for (const source of status.sources) {
        const row = await browser.$(`[data-testid="sources"] tr[data-source="${source.name}"]`);
        assert.ok(await row.isExisting(), `a row for source ${source.name}`);
        assert.equal(await textOf(row, "source-records"), format(source.records), `records of ${source.name}`);
      }
      for (const table of [...status.layers.unified, ...status.layers.derived]) {
        const row = await browser.$(`[data-testid="layer-row-${table.table}"]`);
        assert.equal(await textOf(row, "layer-rows"), format(table.rows), `rows of ${table.table}`);
      }
      assert.equal(await textOf(browser, "warehouse-path"), status.warehousePath);
      assert.equal(await textOf(browser, "schema-version"), String(status.schemaVersion));
      assert.match(await textOf(browser, "demo-info"), new RegExp(format(status.demo.people)));

      await scrollToBottom(browser);
      await screenshot(browser, "01b-overview-light-bottom");
    } finally {
      await browser.deleteSession();
    }
  });
});

describe("the Sources & syncs view", { timeout: TEST_TIMEOUT * 2 }, () => {
  let warehouse;
  let status;

  before(() => {
    warehouse = path.join(scratch("sources"), "demo.parlance");
    cli(["--warehouse", warehouse, "demo", "--people", "300"]);
    status = cliStatus(warehouse);
  });

  it("lists the demo's sources with the counts `status --json` reports, and checks the new-source form", { timeout: TEST_TIMEOUT }, async () => {
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      const format = await countFormatter(browser);
      await browser.$('[data-testid="nav-sources"]').click();
      await browser.$('[data-testid="source-list"]').waitForExist({ timeout: 30_000 });
      assert.ok(status.sources.length >= 5, "the demo has its five sources");
      for (const source of status.sources) {
        const row = await browser.$(`[data-testid="source-list"] tr[data-source="${source.name}"]`);
        assert.ok(await row.isExisting(), `a row for source ${source.name}`);
        assert.equal(await textOf(row, "source-records"), format(source.records), `records of ${source.name}`);
      }
      const rows = await browser.$$('[data-testid="source-list"] tbody tr');
      assert.equal(rows.length, status.sources.length, "no other sources");
      const held = await browser.$$('[data-testid="quarantined-record"]');
      assert.equal(held.length, Math.min(status.layers.quarantined, 200), "the quarantine lists what status counts");
      await screenshot(browser, "08-sources-light");

      // The form checks what it can before sending anything.
      await browser.$('[data-testid="add-source-toggle"]').click();
      await browser.$('[data-testid="source-submit"]').click();
      assert.equal(await textOf(browser, "source-name-error"), "Give the source a name.");
      assert.equal(await textOf(browser, "source-token-error"), "Paste the API token.");
      assert.equal(await browser.$('[data-testid="source-token"]').getAttribute("type"), "password");

      // A Stripe source at an address nothing listens on: registering does not
      // fetch, so it either lands (a keychain is running) or the keychain error
      // names the environment variable to set instead.
      await browser.$('[data-testid="source-name"]').setValue("e2e-stripe");
      await browser.$('[data-testid="source-kind"]').selectByAttribute("value", "stripe");
      await browser.$('[data-testid="source-base-url"]').setValue("http://127.0.0.1:9");
      await browser.$('[data-testid="source-token"]').setValue("sk_test_e2e");
      await browser.$('[data-testid="source-submit"]').click();
      await browser.waitUntil(
        async () =>
          (await browser.$('[data-testid="sources-error"]').isExisting()) ||
          (await browser.$('[data-testid="source-list"] tr[data-source="e2e-stripe"]').isExisting()),
        { timeout: 30_000, timeoutMsg: "adding a source answered" },
      );
      await screenshot(browser, "09-sources-add");
      if (await browser.$('[data-testid="sources-error"]').isExisting()) {
        assert.equal(await textOf(browser, "sources-error-code"), "keychain");
        assert.match(await textOf(browser, "sources-error-message"), /PARLANCE_TOKEN_E2E_STRIPE/);
        assert.equal(await browser.$('[data-testid="source-token"]').getValue(), "", "the token is not kept in the form");
      } else {
        const row = await browser.$('[data-testid="source-list"] tr[data-source="e2e-stripe"]');
        await row.$("button=Remove").click();
        await browser.$('[data-testid="confirm-remove"]').click();
        await row.waitForExist({ reverse: true, timeout: 30_000 });
      }
    } finally {
      await browser.deleteSession();
    }
  });
});

describe("the Customers and Value views", { timeout: TEST_TIMEOUT * 2 }, () => {
  let warehouse;
  let email;
  let shown;
  let value;

  before(() => {
    warehouse = path.join(scratch("customers"), "demo.parlance");
    cli(["--warehouse", warehouse, "demo", "--people", "300"]);
    const hits = JSON.parse(cli(["--warehouse", warehouse, "customer", "search", "a", "--limit", "50", "--json"]));
    const person = hits.find((hit) => hit.profile.emails.length > 0);
    assert.ok(person, "the demo has a person with an email starting with a");
    email = person.profile.emails[0];
    shown = JSON.parse(cli(["--warehouse", warehouse, "customer", "show", email, "--json"]));
    value = JSON.parse(cli(["--warehouse", warehouse, "value", "summary", "--json"]));
  });

  it("finds by email the profile `parlance customer show` finds, with its timeline", { timeout: TEST_TIMEOUT }, async () => {
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      const format = await countFormatter(browser);
      await browser.$('[data-testid="nav-customers"]').click();
      await browser.$('[data-testid="customers-empty"]').waitForExist({ timeout: 30_000 });
      await browser.$('[data-testid="customer-search"]').setValue(email);
      await browser.keys(["Enter"]);
      await browser.waitUntil(
        async () =>
          (await browser.$('[data-testid="customer-profile"]').isExisting()) ||
          (await browser.$('[data-testid="customer-hits"]').isExisting()),
        { timeout: 30_000, timeoutMsg: "the search answered" },
      );
      if (!(await browser.$('[data-testid="customer-profile"]').isExisting())) {
        await browser.$(`[data-testid="customer-hit"][data-profile="${shown.summary.id}"] button`).click();
        await browser.$('[data-testid="customer-profile"]').waitForExist({ timeout: 30_000 });
      }
      assert.equal(await textOf(browser, "customer-profile-id"), String(shown.summary.id));
      const identifiers = await browser.$$('[data-testid="customer-identifier"]');
      assert.equal(identifiers.length, shown.identifiers.length, "every identifier is listed");
      const entries = await browser.$$('[data-testid="timeline-entry"]');
      assert.equal(entries.length, Math.min(50, shown.timelineTotal), "the newest touchpoints are shown");
      assert.match(await textOf(browser, "timeline-count"), new RegExp(`of ${format(shown.timelineTotal)} touchpoints`));
      await screenshot(browser, "10-customer-light");
      await scrollToBottom(browser);
      await screenshot(browser, "10b-customer-timeline");
    } finally {
      await browser.deleteSession();
    }
  });

  it("shows the tier counts of `parlance value summary --json`", { timeout: TEST_TIMEOUT }, async () => {
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });
      const format = await countFormatter(browser);
      await browser.$('[data-testid="nav-value"]').click();
      await browser.$('[data-testid="value-tiers"]').waitForExist({ timeout: 30_000 });
      assert.ok(value.tiers.length > 0, "the demo has value tiers");
      for (const tier of value.tiers) {
        const row = await browser.$(`[data-testid="value-tier"][data-tier="${tier.name}"]`);
        assert.equal(await textOf(row, "tier-profiles"), format(tier.profiles), `profiles in tier ${tier.name}`);
      }
      assert.equal(await textOf(browser, "value-profiles"), format(value.profiles));
      const noPurchases = value.bases.find((basis) => basis.basis === "no purchases");
      if (noPurchases) {
        const row = await browser.$('[data-testid="value-bases"] tr[data-basis="no purchases"]');
        assert.equal(await textOf(row, "basis-profiles"), format(noPurchases.profiles));
      }
      await screenshot(browser, "11-value-light");
      await scrollToBottom(browser);
      await screenshot(browser, "11b-value-model");
      // Dark theme, for a look at the bars and the model panel.
      await browser.execute(() => (document.documentElement.dataset.theme = "dark"));
      await screenshot(browser, "11c-value-dark");
    } finally {
      await browser.deleteSession();
    }
  });
});

describe("first start", { timeout: TEST_TIMEOUT }, () => {
  it("creates the demo warehouse with progress, then shows what `status --json` reports", { timeout: TEST_TIMEOUT }, async () => {
    // run.sh sets PARLANCE_DEMO_PEOPLE=300 for the app.
    const warehouse = path.join(scratch("first-start"), "nested", "new.parlance");
    const browser = await openApp(warehouse);
    let shown;
    try {
      // The progress view may be over before we look; either it or the Overview must appear.
      await browser.waitUntil(
        async () =>
          (await browser.$('[data-testid="demo-progress"]').isExisting()) ||
          (await browser.$('[data-testid="overview"]').isExisting()),
        { timeout: 60_000, timeoutMsg: "neither the demo progress nor the Overview appeared" },
      );
      if (await browser.$('[data-testid="demo-progress"]').isExisting()) {
        await screenshot(browser, "02-first-start-progress");
        assert.match(await textOf(browser, "demo-progress-text"), /^Creating the demo warehouse/);
      }
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 180_000 });
      await browser.$('[data-testid="notice-banner"]').waitForExist({ timeout: 10_000 });
      assert.match(await textOf(browser, "notice-banner-message"), /^Demo warehouse created: 300 people/);
      await screenshot(browser, "03-first-start-done");
      shown = await textOf(browser, "landing-count");
      const format = await countFormatter(browser);
      const status = cliStatus(warehouse);
      assert.ok(status.layers.landing > 0, "the app landed records");
      assert.equal(shown, format(status.layers.landing));
      assert.equal(status.demo?.people, 300);
    } finally {
      await browser.deleteSession();
    }
  });
});

describe("a file that is not a warehouse", { timeout: TEST_TIMEOUT }, () => {
  it("opens the window and names the problem in the error banner", { timeout: TEST_TIMEOUT }, async () => {
    const notes = path.join(scratch("not-a-warehouse"), "notes.txt");
    writeFileSync(notes, "Shopping list: milk, eggs, and a customer warehouse.\n".repeat(200));
    const browser = await openApp(notes);
    try {
      const banner = await browser.$('[data-testid="error-banner"]');
      await banner.waitForExist({ timeout: 30_000 });
      assert.equal(await textOf(browser, "error-banner-title"), "This file is not a Parlance warehouse");
      assert.equal(await textOf(browser, "error-banner-code"), "not-a-warehouse");
      assert.match(await textOf(browser, "error-banner-message"), /notes\.txt/);
      assert.ok(!(await browser.$('[data-testid="overview"]').isExisting()), "no Overview of a file that is not a warehouse");
      await screenshot(browser, "04-not-a-warehouse");
      // The rest of the app still works.
      await browser.keys(["Alt", "8"]);
      await browser.$('[data-testid="settings"]').waitForExist({ timeout: 10_000 });
      assert.equal(await textOf(browser, "settings-warehouse-path"), notes);
    } finally {
      await browser.deleteSession();
    }
  });
});

// Last, because the theme it chooses is remembered in the web view's storage.
describe("keyboard and theme", { timeout: TEST_TIMEOUT * 2 }, () => {
  let warehouse;

  before(() => {
    warehouse = path.join(scratch("keyboard"), "demo.parlance");
    cli(["--warehouse", warehouse, "demo", "--people", "200"]);
  });

  it("moves between views with the keyboard", { timeout: TEST_TIMEOUT }, async () => {
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 60_000 });

      // The first Tab reaches the skip link; Enter on it moves focus to the view.
      await browser.keys(["Tab"]);
      assert.equal(await focusedTestId(browser), "skip-link");
      await screenshot(browser, "05a-skip-link");
      await browser.keys(["Enter"]);
      assert.equal(await browser.execute(() => document.activeElement?.id), "main");

      // Alt+8 jumps to Settings.
      await browser.keys(["Alt", "8"]);
      await browser.$('[data-testid="settings"]').waitForExist({ timeout: 10_000 });
      assert.equal(await focusedTestId(browser), "nav-settings");
      assert.equal(await browser.$('[data-testid="nav-settings"]').getAttribute("aria-current"), "page");
      assert.equal(await textOf(browser, "settings-warehouse-path"), warehouse);
      assert.match(await textOf(browser, "app-version"), /^\d+\.\d+\.\d+/);
      await screenshot(browser, "05-settings-light");

      // Up moves focus within the sidebar to the view above; Enter opens it.
      await browser.keys(["ArrowUp"]);
      assert.equal(await focusedTestId(browser), "nav-journeys");
      assert.equal(await browser.$('[data-testid="nav-journeys"]').getAttribute("aria-disabled"), null);
      await browser.keys(["Enter"]);
      await browser.$('[data-testid="journeys-view"]').waitForExist({ timeout: 10_000 });
      assert.equal(await browser.$('[data-testid="nav-journeys"]').getAttribute("aria-current"), "page");

      // Home, then Enter, opens Overview.
      await browser.keys(["Home"]);
      assert.equal(await focusedTestId(browser), "nav-overview");
      await browser.keys(["Enter"]);
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 10_000 });

      // The dark theme, chosen in Settings, applies everywhere.
      await browser.keys(["Alt", "8"]);
      await browser.$('[data-testid="theme-dark"]').click();
      assert.equal(await browser.execute(() => document.documentElement.dataset.theme), "dark");
      await screenshot(browser, "06-settings-dark");
      await browser.keys(["Alt", "1"]);
      await browser.$('[data-testid="overview"]').waitForExist({ timeout: 10_000 });
      await screenshot(browser, "07-overview-dark");
      await scrollToBottom(browser);
      await screenshot(browser, "07b-overview-dark-bottom");
      // Back to following the system (light under Xvfb).
      await browser.keys(["Alt", "8"]);
      await browser.$('[data-testid="theme-system"]').click();
      assert.equal(await browser.execute(() => localStorage.getItem("parlance.theme")), "system");
      assert.equal(await browser.execute(() => document.documentElement.dataset.theme), "light");
    } finally {
      await browser.deleteSession();
    }
  });
});
