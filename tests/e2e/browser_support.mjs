// Shared browser helpers of the Playwright e2e tests: Debian's Chromium launched headless,
// axe-core (web/dashboard's devDependency) on a page, and screenshots at the two widths the
// dashboard is reviewed at (1280 px desktop, 375 px phone), axe-checked at each.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { repoRoot } from "./harness.mjs";

/** Where screenshots go (build/screenshots/, created on import). */
export const SHOTS = path.join(repoRoot, "build", "screenshots");
mkdirSync(SHOTS, { recursive: true });
/** The axe-core bundle injected into pages (and frames) under test. */
export const AXE = path.join(repoRoot, "web/dashboard/node_modules/axe-core/axe.min.js");

/** Debian's /usr/bin/chromium, headless, no sandbox, no GPU, no background traffic. */
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * axe-core's serious and critical violations (WCAG 2.0/2.1 A and AA, best practices) on the
 * whole document of `page`, as readable lines; [] when clean.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * Full-page screenshots of `page` at 1280 px and 375 px wide to SHOTS/<name>-<width>.png,
 * asserting no serious or critical axe-core violation at either width; back to 1280 px after.
 */
export async function shootAndCheck(page, name) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForTimeout(100);  // layout settles after the resize
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], `axe-core on ${name} at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
