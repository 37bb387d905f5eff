import type { CDPSession, HTTPResponse, Page } from 'puppeteer-core';
import { isOnSite } from '../../audits/normalise-url';

/**
 * Keeps an audit's page scan on the audited site. Only the main frame's document requests are paused (CDP Fetch
 * with a Document pattern, so subresources are untouched and cost nothing): a redirect hop or a script navigation
 * to another host is failed before any request leaves, and remembered so the scan can say where it was going.
 * It also remembers the main document's content type, which is the only way to recognise a non-HTML page whose
 * navigation Chromium aborts (a PDF is downloaded, not rendered).
 */
export interface SiteNavigationGuard {
  /** The off-site URL the main frame tried to load, if it did. */
  offSiteTarget(): string | null;
  /** Content-Type of the last main-frame document response. */
  mainContentType(): string | null;
  isOnSite(url: string): boolean;
  stop(): Promise<void>;
}

interface RequestPausedEvent {
  requestId: string;
  request: { url: string };
  frameId: string;
  resourceType: string;
}

export async function guardSiteNavigation(page: Page, siteHosts: readonly string[]): Promise<SiteNavigationGuard> {
  let offSite: string | null = null;
  let contentType: string | null = null;

  const onResponse = (response: HTTPResponse) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) contentType = response.headers()['content-type'] ?? null;
  };
  page.on('response', onResponse);

  const session: CDPSession = await page.createCDPSession();
  const { frameTree } = (await session.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
  const mainFrameId = frameTree.frame.id;
  session.on('Fetch.requestPaused', (event: RequestPausedEvent) => {
    // Same site = the audit's hosts with their ports (audits/normalise-url.ts), whatever the scheme.
    const leaves =
      event.frameId === mainFrameId && event.resourceType === 'Document' && /^https?:/.test(event.request.url) && !isOnSite(event.request.url, siteHosts);
    if (leaves) offSite ??= event.request.url;
    // Every paused request must be answered, or the page waits for it forever.
    const answer = leaves
      ? session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' })
      : session.send('Fetch.continueRequest', { requestId: event.requestId });
    answer.catch(() => undefined);
  });
  await session.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }] });

  return {
    offSiteTarget: () => offSite,
    mainContentType: () => contentType,
    isOnSite: (url) => isOnSite(url, siteHosts),
    async stop() {
      page.off('response', onResponse);
      await session.detach().catch(() => undefined);
    },
  };
}

/** HTML or XHTML by its Content-Type; no header at all is treated as HTML (browsers sniff it). */
export function isHtmlContentType(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml' || type === '';
}
