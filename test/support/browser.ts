// Debian's chromium driven by playwright-core (Playwright cannot download its own browser here), with the flags that
// keep it off the network it cannot reach; screenshots of each test under test-output/e2e/.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SHOTS = path.join(__dirname, '../../test-output/e2e');

export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Numbered full-page screenshots: `<prefix>-01-<name>.png`, … */
export function screenshots(page: () => Page, prefix: string) {
  let step = 0;
  return (name: string) =>
    page().screenshot({ path: path.join(SHOTS, `${prefix}-${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
}
