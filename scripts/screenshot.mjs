// Screenshot a running Healify tab in headless Chromium (dev tool for UI checks).
// Usage: NODE_PATH=<dir with playwright-core> node scripts/screenshot.mjs URL TAB_LABEL OUT.png
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const [url, tab, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(url, { waitUntil: "load" });
await page.getByRole("tab").first().waitFor();
if (tab && tab !== "-") await page.getByRole("tab", { name: tab, exact: true }).click();
await page.waitForTimeout(1500);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
