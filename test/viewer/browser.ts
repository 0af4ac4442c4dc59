/**
 * Headless Chromium for the viewer's browser tests and the fps benchmark: Debian's
 * /usr/bin/chromium driven by playwright-core, WebGL through SwiftShader (software), a fresh
 * profile, and no background networking (the machine's network is closed).
 *
 * When Chromium is absent the tests skip with a message, except in CI (CI set) or with
 * HEARTH_REQUIRE_BROWSER=1, where they fail.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const BROWSER_REQUIRED = !!process.env.CI || process.env.HEARTH_REQUIRE_BROWSER === '1';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-dev-shm-usage',
];

export interface Launched {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context in a fresh user-data-dir (removed on close). */
export async function launchChromium(viewport = { width: 1280, height: 720 }): Promise<Launched> {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'hearth-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type { Browser };
