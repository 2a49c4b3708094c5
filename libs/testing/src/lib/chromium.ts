import type { Browser, LaunchOptions } from 'playwright-core';

/** Debian's Chromium, headless, with nothing that would try to reach the internet. */
export const CHROMIUM_LAUNCH_OPTIONS: LaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export async function launchChromium(): Promise<Browser> {
  // Loaded on demand: playwright-core takes seconds to load, and most users of @zen/testing need no browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
}
