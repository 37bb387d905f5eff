import type { HTTPRequest, Page } from 'puppeteer-core';
import { checkUrlSafety, type UrlPolicy } from '../url-safety';

export interface BlockedRequest {
  url: string;
  reason: string;
  resourceType: string;
  mainDocument: boolean;
}

export interface RequestGuard {
  readonly blocked: BlockedRequest[];
  mainDocumentBlocked(): BlockedRequest | undefined;
}

/**
 * Every request the page makes (redirect hops, subresources, frames) passes the same address rules as the
 * submitted URL; blocked ones are aborted and remembered. Verdicts are cached per host for the scan.
 */
export async function guardRequests(page: Page, policy: UrlPolicy): Promise<RequestGuard> {
  const blocked: BlockedRequest[] = [];
  const verdicts = new Map<string, Promise<string | null>>();
  const verdictFor = (url: URL): Promise<string | null> => {
    const key = `${url.protocol}//${url.host}`;
    let v = verdicts.get(key);
    if (!v) {
      v = checkUrlSafety(url.href, policy).then(
        (check) => (check.ok ? null : check.reason),
        // A host that does not resolve cannot be reached either: let Chromium fail it the normal way.
        () => null,
      );
      verdicts.set(key, v);
    }
    return v;
  };

  await page.setRequestInterception(true);
  page.on('request', (req: HTTPRequest) => {
    if (req.isInterceptResolutionHandled()) return;
    let url: URL;
    try {
      url = new URL(req.url());
    } catch {
      void req.abort('blockedbyclient').catch(() => undefined);
      return;
    }
    // data:, blob: and about: never leave the browser.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      void req.continue().catch(() => undefined);
      return;
    }
    void verdictFor(url).then((reason) => {
      if (req.isInterceptResolutionHandled()) return;
      if (reason === null) return req.continue().catch(() => undefined);
      const mainDocument = req.isNavigationRequest() && req.frame() === page.mainFrame();
      blocked.push({ url: req.url().slice(0, 300), reason, resourceType: req.resourceType(), mainDocument });
      return req.abort('blockedbyclient').catch(() => undefined);
    });
  });
  return { blocked, mainDocumentBlocked: () => blocked.find((b) => b.mainDocument) };
}
