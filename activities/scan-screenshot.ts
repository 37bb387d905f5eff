// The report's picture of the page: a viewport JPEG and the boxes of the elements axe flagged in it.
import type { AxeResults } from 'axe-core';
import type { Page } from 'puppeteer-core';
import { withTimeout } from '../lib/async';
import type { PrismaClient } from '../lib/prisma';

export interface FlaggedBox {
  ruleId: string;
  impact: string | null;
  target: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PageScreenshot {
  image: Buffer;
  width: number;
  height: number;
  boxes: FlaggedBox[];
}

// Viewport only at quality 60: 30-120 KB a page, so 10,000 scans cost about 1 GB of Postgres.
const JPEG_QUALITY = 60;
const MAX_BOXES = 200;
const CAPTURE_TIMEOUT_MS = 5_000;

/**
 * Boxes of violation elements in the top document (frame targets are skipped: their coordinates are the frame's),
 * clipped to the viewport; then the screenshot. Null if the page cannot be captured within 5 s.
 */
export async function capturePage(page: Page, results: Pick<AxeResults, 'violations'>): Promise<PageScreenshot | null> {
  const targets = results.violations
    .flatMap((r) =>
      r.nodes
        .filter((n) => n.target.length === 1 && typeof n.target[0] === 'string')
        .map((n) => ({ ruleId: r.id, impact: r.impact ?? null, target: n.target[0] as string })),
    )
    .slice(0, MAX_BOXES);
  const work = (async () => {
    const boxes = await page.evaluate((items) => {
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      const out: Array<{ ruleId: string; impact: string | null; target: string; x: number; y: number; w: number; h: number }> = [];
      for (const it of items) {
        let el: Element | null = null;
        try {
          el = document.querySelector(it.target);
        } catch {
          continue;
        }
        if (!el) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        const x = Math.max(0, r.left);
        const y = Math.max(0, r.top);
        const w = Math.min(vw, r.right) - x;
        const h = Math.min(vh, r.bottom) - y;
        if (w <= 0 || h <= 0) continue;
        out.push({ ...it, x: Math.round(x), y: Math.round(y), w: Math.round(w), h: Math.round(h) });
      }
      return { boxes: out, width: vw, height: vh };
    }, targets);
    const image = await page.screenshot({ type: 'jpeg', quality: JPEG_QUALITY, captureBeyondViewport: false, optimizeForSpeed: true });
    return { image: Buffer.from(image), width: boxes.width, height: boxes.height, boxes: boxes.boxes };
  })();
  try {
    return await withTimeout(work, CAPTURE_TIMEOUT_MS);
  } catch {
    return null;
  } finally {
    work.catch(() => undefined);
  }
}

/** Replaces the scan's screenshot (a retried attempt overwrites the earlier one). */
export async function saveScreenshot(prisma: PrismaClient, scanId: string, shot: PageScreenshot): Promise<void> {
  const data = {
    image: new Uint8Array(shot.image),
    width: shot.width,
    height: shot.height,
    boxes: shot.boxes as unknown as object,
    mime: 'image/jpeg',
  };
  await prisma.scanScreenshot.upsert({ where: { scanId }, create: { scanId, ...data }, update: { ...data, createdAt: new Date() } });
}
