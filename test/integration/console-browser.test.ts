// The web console in a real headless Chromium (Debian's, driven by playwright-core) against a real two-group
// cluster with anti-steal tokens on: the cluster page (trackers, groups, states, charts), a file page (where it
// lives, replicas, metadata, an image preview, a download link with a token that works), a group's file list,
// and an upload from the browser. Screenshots are checked for content (a real PNG of a drawn page), not pixels;
// FDFS_CONSOLE_SCREENSHOT=path saves the cluster page (README's docs/console.png).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { runCli } from '../helpers/proc.js';
import { waitFor } from '../helpers/cluster.js';
import { startConsoleCluster, UPLOAD_SECRET, type ConsoleCluster } from '../helpers/console-cluster.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`console browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; CI installs it)`);

/** A 1×1 red PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

let c: ConsoleCluster;
let ctx: BrowserContext;
let page: Page;
let profile = '';
let imageId = '';
const work = mkdtempSync(path.join(os.tmpdir(), 'fdfs-console-'));

/** A screenshot that is a real PNG of a drawn page: signature, a width, and more than a blank page's bytes. */
function expectDrawn(png: Buffer, minBytes: number): void {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(1000);
  expect(png.length).toBeGreaterThan(minBytes);
}

describe.skipIf(!haveChromium)(`web console in headless Chromium${haveChromium ? '' : ' (skipped: /usr/bin/chromium missing)'}`, () => {
  beforeAll(async () => {
    c = await startConsoleCluster({ tokens: true });
    const file = path.join(work, 'cat.png');
    writeFileSync(file, PNG);
    const up = await runCli(['upload', file, '-q', '--group', 'group1', '--tracker', c.tracker.address]);
    expect(up.code, up.stderr).toBe(0);
    imageId = up.stdout.trim();
    for (let i = 0; i < 5; i++) await c.client.upload(Buffer.from(`text ${i}`), { ext: 'txt', group: i % 2 ? 'group1' : 'group2' });
    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(path.join(os.tmpdir(), 'fdfs-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    page = ctx.pages()[0] ?? await ctx.newPage();
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await c?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('cluster page: the leader tracker, both groups, every storage ACTIVE, and the charts', async () => {
    // Some traffic, then two samples so the charts have lines (a minute of it for README's screenshot).
    const busyUntil = Date.now() + (process.env.FDFS_CONSOLE_SCREENSHOT ? 60_000 : 0);
    for (let i = 0; i < 10 || (Date.now() < busyUntil && i < 100_000); i++) {
      await c.client.downloadToBuffer(imageId);
      if (i % 3 === 0) await c.client.upload(Buffer.alloc(4096 * (1 + (i % 7)), i), { ext: 'bin', group: i % 2 ? 'group1' : 'group2' });
      if (busyUntil > Date.now()) await new Promise((r) => setTimeout(r, 20 + 80 * Math.abs(Math.sin(i / 40))));
    }
    await waitFor('two chart samples', async () => {
      const charts = await (await fetch(`${c.base}/api/charts`)).json() as { storages: Record<string, unknown[]> };
      return Object.values(charts.storages).length === 3 && Object.values(charts.storages).every((p) => p.length >= 1);
    }, 40_000, 500);
    await page.goto(`${c.base}/`);
    await page.getByRole('heading', { name: 'Group group2' }).waitFor({ timeout: 15_000 });
    const text = await page.locator('main').innerText();
    expect(text).toContain('Trackers');
    expect(text).toContain(c.tracker.address);
    expect(text).toMatch(/leader/);
    expect(text).toContain('Group group1');
    for (const s of c.storages) expect(text).toContain(`${s.host}:${s.port}`);
    expect(await page.locator('main .badge.ACTIVE').count()).toBeGreaterThanOrEqual(4); // 3 storages + the tracker
    expect(await page.locator('#who').innerText()).toContain('(leader)');
    for (const title of ['Operations / s', 'Bytes / s (in + out + replication)', 'Replication lag (s)']) {
      expect(await page.getByRole('img', { name: title }).count()).toBe(1);
    }
    expect(await page.locator('.chart polyline').count()).toBeGreaterThan(0);
    const shot = await page.screenshot({ fullPage: true });
    expectDrawn(shot, 30_000);
    if (process.env.FDFS_CONSOLE_SCREENSHOT) writeFileSync(process.env.FDFS_CONSOLE_SCREENSHOT, shot);
  }, 150_000);

  it('file page: where it lives, both replicas, the kept name, an image preview and a download link with a token', async () => {
    await waitFor('the image on both members', async () => {
      const r = await (await fetch(`${c.base}/api/file?id=${encodeURIComponent(imageId)}`)).json() as { replicas: Array<{ present: boolean }> };
      return r.replicas.every((x) => x.present);
    }, 30_000);
    await page.goto(`${c.base}/#/file/${encodeURIComponent(imageId)}`);
    await page.getByRole('heading', { name: 'Replicas' }).waitFor({ timeout: 15_000 });
    const text = await page.locator('main').innerText();
    expect(text).toContain('group1');
    expect(text).toMatch(/store path\s+M00/);
    expect(text).toMatch(/size\s+70 B \(70 bytes\)/);
    expect(text).toMatch(/filename\s+cat\.png/);
    expect(await page.locator('main .badge.yes').count()).toBe(2);
    const href = await page.locator('#download').getAttribute('href');
    expect(href).toMatch(/^\/group1\/M00\/.+\.png\?token=[0-9a-f]{32}&ts=\d+&filename=cat\.png$/);
    // Clicking it downloads the file under its kept name (302 from the tracker to a storage gateway, which checks the token)…
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.locator('#download').click()]);
    expect(download.suggestedFilename()).toBe('cat.png');
    expect(readFileSync((await download.path())!).equals(PNG)).toBe(true);
    // …and the token is what lets it through.
    expect((await fetch(`${c.base}${href!.replace(/\?.*$/, '?filename=cat.png')}`)).status).toBe(403);
    await page.waitForFunction(() => (document.querySelector('.preview img') as HTMLImageElement | null)?.naturalWidth === 1, null, { timeout: 10_000 });
    expectDrawn(await page.screenshot({ fullPage: true }), 10_000);
  });

  it('files page: the group\'s files with their original names, linking to their pages', async () => {
    await page.goto(`${c.base}/#/files/group1`);
    await page.locator('main table').waitFor({ timeout: 15_000 });
    const text = await page.locator('main').innerText();
    expect(text).toContain(imageId);
    expect(text).toContain('cat.png');
    await page.getByRole('link', { name: imageId }).click();
    await page.getByRole('heading', { name: 'Replicas' }).waitFor({ timeout: 15_000 });
  });

  it('upload from the browser: stored in the chosen group, the name kept; a wrong secret is shown as an error', async () => {
    await page.goto(`${c.base}/#/upload`);
    await page.locator('select[name=group] option[value=group2]').waitFor({ state: 'attached', timeout: 15_000 });
    await page.setInputFiles('input[name=file]', { name: 'from-browser.txt', mimeType: 'text/plain', buffer: Buffer.from('typed in a browser') });
    await page.selectOption('select[name=group]', 'group2');
    await page.fill('input[name=secret]', 'wrong');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('alert').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('alert').innerText()).toMatch(/Upload failed: .*Bearer/);
    await page.fill('input[name=secret]', UPLOAD_SECRET);
    await page.getByRole('button', { name: 'Upload' }).click();
    const link = page.locator('main a.mono');
    await link.waitFor({ timeout: 15_000 });
    const id = await link.innerText();
    expect(id).toMatch(/^group2\/M00\/.+\.txt$/);
    expect((await c.client.downloadToBuffer(id)).toString()).toBe('typed in a browser');
    expect(await c.client.getMetadata(id)).toEqual({ filename: 'from-browser.txt' });
  });

  it('a bad file ID shows a plain error, and the console keeps working', async () => {
    await page.goto(`${c.base}/#/file/${encodeURIComponent('not-an-id')}`);
    await page.getByRole('alert').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('alert').innerText()).toMatch(/not a file ID/);
    await page.goto(`${c.base}/`);
    await page.getByRole('heading', { name: 'Group group1' }).waitFor({ timeout: 15_000 });
  });
});
