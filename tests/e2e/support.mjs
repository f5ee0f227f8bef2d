// Shared pieces of the end-to-end tests: the app session, the CLI, screenshots,
// and number formatting the way the UI does it (ui/src/lib/format.ts).
//
// run.sh provides the environment: E2E_PORT (tauri-driver), PARLANCE_APP and
// PARLANCE_CLI (absolute binary paths), E2E_WORK (a scratch folder).

import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
export const screenshotDir = path.join(here, "screenshots");

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through tests/e2e/run.sh`);
  return value;
}

export const appBinary = () => required("PARLANCE_APP");
export const cliBinary = () => required("PARLANCE_CLI");
export const workDir = () => required("E2E_WORK");

/** A fresh folder under the run's scratch folder. */
export function scratch(name) {
  const dir = path.join(workDir(), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs the `parlance` CLI and returns its stdout. */
export function cli(args) {
  return execFileSync(cliBinary(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
}

/** `parlance --warehouse PATH status --json`: the same OverviewDto the app shows. */
export function cliStatus(warehouse) {
  return JSON.parse(cli(["--warehouse", warehouse, "status", "--json"]));
}

/**
 * Starts the app on `warehouse` (passed as `--warehouse PATH`) in a new
 * WebDriver session. The caller must `await browser.deleteSession()`.
 */
export async function openApp(warehouse) {
  const browser = await remote({
    hostname: "127.0.0.1",
    port: Number(required("E2E_PORT")),
    logLevel: "warn",
    connectionRetryCount: 0,
    connectionRetryTimeout: 120_000,
    waitforTimeout: 30_000,
    capabilities: {
      browserName: "wry",
      // WebKitWebDriver speaks classic WebDriver only.
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: appBinary(), args: ["--warehouse", warehouse] },
    },
  });
  await browser.$("main#main").waitForExist({ timeout: 30_000 });
  return browser;
}

/**
 * Saves screenshots/NAME.png.
 *
 * WebKitGTK answers a screenshot request after its next paint; a page that is
 * settled (nothing animating, no overlay scrollbar fading) never paints again
 * and the request hangs. So a 1-pixel, practically transparent square keeps
 * repainting in a corner while the screenshot is taken, then goes away.
 */
export async function screenshot(browser, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await browser.execute(() => {
    const ticker = document.createElement("div");
    ticker.id = "e2e-repaint";
    ticker.style.cssText = "position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none";
    document.body.appendChild(ticker);
    ticker.animate([{ opacity: 0 }, { opacity: 0.02 }], { duration: 200, iterations: Infinity, direction: "alternate" });
  });
  try {
    await browser.saveScreenshot(path.join(screenshotDir, `${name}.png`));
  } finally {
    await browser.execute(() => document.getElementById("e2e-repaint")?.remove());
  }
}

/** The text of the element with this data-testid (inside `scope`, if given). */
export async function textOf(browserOrScope, testid) {
  return (await browserOrScope.$(`[data-testid="${testid}"]`)).getText();
}

/**
 * A count formatted as the UI formats it: Intl.NumberFormat in the locale the
 * window reports on <html lang>, no fraction digits.
 */
export async function countFormatter(browser) {
  const lang = await browser.execute(() => document.documentElement.lang);
  const format = new Intl.NumberFormat(lang || undefined, { maximumFractionDigits: 0 });
  return (value) => format.format(value);
}

/** The id of the element that has keyboard focus. */
export async function focusedTestId(browser) {
  return browser.execute(() => document.activeElement?.getAttribute("data-testid") ?? null);
}

/** Scrolls the view area to its end, to show the rest of a long view. */
export async function scrollToBottom(browser) {
  await browser.execute(() => {
    const main = document.querySelector("main");
    if (main) main.scrollTop = main.scrollHeight;
  });
}
