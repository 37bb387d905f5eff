import { readFileSync } from 'node:fs';
import type { AxeResults, ElementContext, PartialResult, RunOptions } from 'axe-core';
import axePackage from 'axe-core/package.json';
import type { Frame, Page, Realm } from 'puppeteer-core';
import { validateAxeResults } from './axe-result-validation';

// Read once per process; injected with evaluate (not a script tag) so a page's CSP cannot refuse it.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_VERSION: string = axePackage.version;

type AxeWindow = Window & { axe: typeof import('axe-core') };

export interface AxeRun {
  results: AxeResults;
  /** Frames axe wanted to test but could not reach (detached, unreachable, timed out). */
  untestedFrames: string[];
  /** What the result validator cut to keep the result bounded (empty almost always). */
  truncated: string[];
}

/**
 * axe runs in puppeteer's isolated world of each frame, never in the page's own: isolated worlds share the DOM but
 * not JS globals or prototypes, so a page can neither supply its own `window.axe` (a fake perfect score) nor patch
 * the DOM APIs axe calls. `isolatedRealm()` is marked internal in puppeteer's types, hence the guarded cast; the
 * integration test `page-own-axe.int.test.ts` fails if it stops working.
 */
export function axeRealm(frame: Frame): Realm {
  const realm = (frame as unknown as { isolatedRealm?: () => Realm }).isolatedRealm?.();
  if (!realm) throw new Error("puppeteer-core has no Frame.isolatedRealm(): refusing to run axe in the page's own world");
  return realm;
}

async function inject(realm: Realm): Promise<void> {
  // Only an own property set by our injection counts: in any world `window.axe` may also be a named property (an
  // element with id="axe", a frame named "axe"), which the page controls.
  const present = await realm.evaluate(
    (version) =>
      Object.prototype.hasOwnProperty.call(window, 'axe') &&
      typeof (window as unknown as Partial<AxeWindow>).axe?.runPartial === 'function' &&
      (window as unknown as AxeWindow).axe.version === version,
    AXE_VERSION,
  );
  if (!present) await realm.evaluate(AXE_SOURCE);
}

/**
 * Runs axe.runPartial in a frame and, depth first, in every child frame axe asks for, in the order
 * axe.finishRun expects: the way axe-core's own frame support (and @axe-core/puppeteer) does it, so
 * cross-origin frames are tested too. A frame that cannot be reached contributes `null`.
 */
async function runPartialRecursive(
  frame: Frame,
  context: ElementContext,
  options: RunOptions,
  untested: string[],
  depth: number,
): Promise<Array<PartialResult | null>> {
  const realm = axeRealm(frame);
  await inject(realm);
  const frameContexts = await realm.evaluate(
    (ctx) => (window as unknown as AxeWindow).axe.utils.getFrameContexts(ctx as ElementContext),
    context as never,
  );
  const partials: Array<PartialResult | null> = [
    await realm.evaluate(
      (ctx, opts) => (window as unknown as AxeWindow).axe.runPartial(ctx as ElementContext, opts as RunOptions),
      context as never,
      options as never,
    ),
  ];
  for (const { frameSelector, frameContext } of frameContexts) {
    const label = JSON.stringify(frameSelector);
    try {
      if (depth > 30) throw new Error('frame nesting too deep');
      const handle = await realm.evaluateHandle(
        (sel) => (window as unknown as AxeWindow).axe.utils.shadowSelect(sel as never),
        frameSelector as never,
      );
      const element = handle.asElement();
      const child = element ? await element.contentFrame() : null;
      await handle.dispose();
      if (!child) throw new Error('frame has no document');
      partials.push(...(await runPartialRecursive(child, frameContext as ElementContext, options, untested, depth + 1)));
    } catch {
      untested.push(label);
      partials.push(null);
    }
  }
  return partials;
}

/**
 * axe-core over the page and all its frames, WCAG tags only, violations and needs-review results; our own axe in
 * isolated worlds, and its result validated (bounded, well-formed) before anyone trusts it.
 */
export async function runAxe(page: Page, tags: readonly string[]): Promise<AxeRun> {
  const options: RunOptions = {
    runOnly: { type: 'tag', values: [...tags] },
    // Passes and inapplicable results cost ~15 % CPU and nobody reads them.
    resultTypes: ['violations', 'incomplete'],
  };
  const untestedFrames: string[] = [];
  const main = axeRealm(page.mainFrame());
  await inject(main);
  let raw: unknown;
  // runPartial ignores resultTypes and serialises every passing node (13 MB and 2.5x the time of axe.run on a
  // 20,000-element page), so a page without frames takes the direct path; the result is the same.
  // puppeteer's frame tree includes frames inside shadow roots and out-of-process ones.
  if (page.frames().length === 1) {
    raw = await main.evaluate((opts) => (window as unknown as AxeWindow).axe.run(document, opts as RunOptions), options as never);
  } else {
    const partials = await runPartialRecursive(page.mainFrame(), { exclude: [] } as never, options, untestedFrames, 0);
    raw = await main.evaluate(
      (parts, opts) => (window as unknown as AxeWindow).axe.finishRun(parts as PartialResult[], opts as RunOptions),
      partials as never,
      options as never,
    );
  }
  const { results, truncated } = validateAxeResults(raw);
  return { results, untestedFrames, truncated };
}
