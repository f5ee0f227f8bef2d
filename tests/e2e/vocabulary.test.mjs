// The Vocabulary view in the real window: open a starter segment, type into
// the CodeMirror editor, see the Rust checker's diagnostic (with its "did you
// mean"), see the live count equal `parlance segment eval --json`, save, and
// see the history grow as `parlance vocab history --json` reports it.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { cli, countFormatter, openApp, scratch, screenshot, scrollToBottom } from "./support.mjs";

const TEST_TIMEOUT = 300_000;

function cliJson(warehouse, args) {
  return JSON.parse(cli(["--warehouse", warehouse, ...args, "--json"]));
}

/** The live count once it settles on a number, or null. */
async function liveCount(browser) {
  // Read in one step in the page: the element is re-rendered as counts arrive.
  const value = await browser.execute(
    () => document.querySelector('[data-testid="vocab-count"]')?.getAttribute("data-count") ?? null,
  );
  return value === null ? null : Number(value);
}

// The editor lives in a shadow root (see ui/src/lib/editor.ts); these run in the page.
const editorText = (browser) =>
  browser.execute(
    () => document.querySelector('[data-testid="vocab-editor"]')?.shadowRoot?.querySelector(".cm-content")?.textContent ?? "",
  );

/** Types `text` at the end of the first line containing `marker`, as user input. */
async function typeAtEndOf(browser, marker, text) {
  const ok = await browser.execute(
    (marker, text) => {
      const root = document.querySelector('[data-testid="vocab-editor"]').shadowRoot;
      const view = root.querySelector(".cm-content").cmTile.root.view;
      const doc = view.state.doc;
      let line = null;
      for (let i = 1; i <= doc.lines && line === null; i += 1) if (doc.line(i).text.includes(marker)) line = doc.line(i);
      if (line === null) return false;
      let pos = line.to;
      view.focus();
      for (const ch of text) {
        view.dispatch({ changes: { from: pos, insert: ch }, selection: { anchor: pos + ch.length }, userEvent: "input.type" });
        pos += ch.length;
      }
      return true;
    },
    marker,
    text,
  );
  assert.ok(ok, `a line containing ${marker}`);
}

/** Deletes `n` characters before the cursor, as Backspace does. */
async function backspace(browser, n) {
  await browser.execute((n) => {
    const root = document.querySelector('[data-testid="vocab-editor"]').shadowRoot;
    const view = root.querySelector(".cm-content").cmTile.root.view;
    for (let i = 0; i < n; i += 1) {
      const head = view.state.selection.main.head;
      view.dispatch({ changes: { from: head - 1, to: head }, userEvent: "delete.backward" });
    }
  }, n);
}

/** Scrolls the editor into view for a screenshot. */
async function showEditor(browser) {
  await browser.execute(() => document.querySelector('[data-testid="vocab-editor-panel"]')?.scrollIntoView({ block: "start" }));
}

async function waitForCount(browser, expected, what) {
  await browser.waitUntil(async () => (await liveCount(browser)) === expected, {
    timeout: 60_000,
    timeoutMsg: `the live count never showed ${expected} (${what}); it shows ${await liveCount(browser)}`,
  });
}

describe("the Vocabulary view", { timeout: TEST_TIMEOUT * 2 }, () => {
  let warehouse;

  before(() => {
    warehouse = path.join(scratch("vocabulary"), "demo.parlance");
    cli(["--warehouse", warehouse, "demo", "--people", "400"]);
  });

  it("edits a segment with diagnostics, a live count, save and history", { timeout: TEST_TIMEOUT }, async () => {
    const before = cliJson(warehouse, ["segment", "eval", "promoters"]);
    const historyBefore = cliJson(warehouse, ["vocab", "history", "promoters"]);
    const browser = await openApp(warehouse);
    try {
      await browser.$('[data-testid="nav-vocabulary"]').click();
      const row = await browser.$('[data-testid="vocab-entry"][data-kind="segment"][data-name="promoters"]');
      await row.waitForExist({ timeout: 60_000 });
      const format = await countFormatter(browser);
      await screenshot(browser, "vocabulary-01-list");

      await row.$('[data-testid="vocab-open"]').click();
      await browser.waitUntil(async () => (await editorText(browser)).includes("segment promoters"), {
        timeoutMsg: "the editor never showed the file of promoters",
      });
      // Unchanged, the live count is the published segment's evaluation.
      await waitForCount(browser, before.members, "the unchanged file");
      assert.match(await (await browser.$('[data-testid="vocab-live-count"]')).getText(), new RegExp(format(before.members)));
      await browser.$('[data-testid="vocab-clean"]').waitForExist({ timeout: 30_000 });
      // Styled despite the CSP's style-src 'self': CodeMirror's base theme
      // makes the editor a flex column, and keywords get the accent colour.
      const styled = await browser.execute(() => {
        const root = document.querySelector('[data-testid="vocab-editor"]').shadowRoot;
        const editor = root.querySelector(".cm-editor");
        const keyword = [...root.querySelectorAll(".cm-line span")].find((s) => s.textContent === "segment");
        const line = root.querySelector(".cm-line");
        return {
          display: getComputedStyle(editor).display,
          keyword: keyword ? getComputedStyle(keyword).color : null,
          text: line ? getComputedStyle(line).color : null,
          gutters: root.querySelectorAll(".cm-gutterElement").length,
        };
      });
      assert.equal(styled.display, "flex", "CodeMirror's own styles apply");
      assert.ok(styled.keyword && styled.keyword !== styled.text, `keywords are highlighted: ${JSON.stringify(styled)}`);
      assert.ok(styled.gutters > 5, "line numbers are shown");
      await showEditor(browser);
      await screenshot(browser, "vocabulary-02-editor");

      // WebKitWebDriver's key input does not reach CodeMirror's editable
      // element inside its shadow root (tried: actions and Element Send Keys;
      // the text stayed unchanged), so the test types through CodeMirror's
      // own input transactions, one character at a time, at the end of the
      // `where` clause of promoters: the same path a keystroke takes after the
      // DOM (update listener, debounced checks).
      const typo = " and survey.npz >= 0";
      await typeAtEndOf(browser, "where survey.nps >= 9", typo);
      const diagnostic = await browser.$('[data-testid="vocab-diagnostic"][data-code="unknown-field"]');
      await diagnostic.waitForExist({ timeout: 30_000 });
      const message = await diagnostic.$('[data-testid="vocab-diagnostic-message"]').getText();
      assert.match(message, /survey\.npz/);
      assert.match(message, /did you mean `survey\.nps`/);
      const underlined = () =>
        browser.execute(
          () => document.querySelector('[data-testid="vocab-editor"]').shadowRoot.querySelectorAll(".cm-lintRange-error").length,
        );
      await browser.waitUntil(async () => (await underlined()) > 0, {
        timeout: 10_000,
        timeoutMsg: "the unknown field is not underlined in the editor",
      });
      // The count follows a little after the diagnostics (it evaluates the segment).
      await browser.waitUntil(async () => (await liveCount(browser)) === null, {
        timeout: 30_000,
        timeoutMsg: "a broken draft still shows a count",
      });
      assert.match(await (await browser.$('[data-testid="vocab-live-count"]')).getText(), /No count while the file has errors/);
      await showEditor(browser);
      await screenshot(browser, "vocabulary-03-diagnostic");

      // Fixed and narrowed: the live count is what the CLI evaluates once it is published.
      await backspace(browser, typo.length);
      await waitForCount(browser, before.members, "the typo removed");
      await typeAtEndOf(browser, "where survey.nps >= 9", " and orders.count >= 1000");
      await browser.$('[data-testid="vocab-clean"]').waitForExist({ timeout: 30_000 });
      await browser.waitUntil(async () => {
        const n = await liveCount(browser);
        return n !== null && n !== before.members;
      }, { timeout: 60_000, timeoutMsg: "the live count did not follow the edit" });
      const drafted = await liveCount(browser);
      await showEditor(browser);
      await screenshot(browser, "vocabulary-04-live-count");

      await browser.$('[data-testid="vocab-message"]').setValue("promoters who ordered a thousand times");
      await browser.$('[data-testid="vocab-save"]').click();
      const note = await browser.$('[data-testid="vocab-save-note"]');
      await note.waitForExist({ timeout: 60_000 });
      assert.match(await note.getText(), /published: segment promoters/);

      const after = cliJson(warehouse, ["segment", "eval", "promoters"]);
      assert.equal(after.members, drafted, "the live count equals `segment eval --json` once published");
      const history = cliJson(warehouse, ["vocab", "history", "promoters"]);
      assert.equal(history.length, historyBefore.length + 1);
      assert.equal(history.at(-1).message, "promoters who ordered a thousand times");
      await browser.waitUntil(async () => (await browser.$$('[data-testid="vocab-version"]').length) === history.length, {
        timeout: 30_000,
        timeoutMsg: "the history table did not grow",
      });
      const diff = await browser.$('[data-testid="vocab-diff"]');
      await diff.waitForExist({ timeout: 30_000 });
      assert.match(await diff.getText(), /orders\.count >= 1000/);
      await scrollToBottom(browser);
      await screenshot(browser, "vocabulary-05-history");

      // Folder watching: a broken file written by another editor is re-read,
      // listed with its problem and never published; the window stays up.
      const folder = (await (await browser.$('[data-testid="vocab-folder"]')).getText()).replace(/^Folder: /, "");
      writeFileSync(path.join(folder, "e2e_broken.parlance"), "segment e2e_broken\n  where survey.npz >= 1\n");
      const broken = await browser.$('[data-testid="vocab-entry"][data-name="e2e_broken"]');
      await broken.waitForExist({ timeout: 60_000 });
      assert.match(await broken.$('[data-testid="vocab-status"]').getText(), /1 error; not published/);
      await browser.waitUntil(
        async () => /e2e_broken\.parlance changed on disk/.test(await (await browser.$('[data-testid="vocab-notice"]')).getText()),
        { timeout: 60_000, timeoutMsg: "no notice that e2e_broken.parlance was re-read" },
      );
      const list = cliJson(warehouse, ["vocab", "list"]);
      assert.ok(!list.some((d) => d.name === "e2e_broken"), "a broken file is not published");
      await browser.execute(() => window.scrollTo(0, 0));
      await browser.execute(() => document.querySelector("main")?.scrollTo(0, 0));
      await screenshot(browser, "vocabulary-06-folder-changed");
    } finally {
      await browser.deleteSession();
    }
  });
});
