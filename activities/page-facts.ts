// Pure: decides whether a scan that "found nothing" really tested the page.

export interface PageFacts {
  title: string;
  readyState: string;
  /** Visible text of the body, collapsed, first 2,000 characters. */
  text: string;
  textLength: number;
  elementCount: number;
  /** img, svg, video, canvas, input, iframe… content that is not text. */
  mediaCount: number;
  busy: boolean;
}

const BOT_WALL = [
  /captcha/i,
  /are you (a )?(human|robot)/i,
  /verify (that )?you are (a )?human/i,
  /checking (if the site connection is secure|your browser)/i,
  /just a moment\.\.\./i,
  /attention required/i,
  /access denied/i,
  /request (was )?blocked/i,
  /unusual traffic/i,
  /ddos protection/i,
  /enable javascript and cookies to continue/i,
];

/** Returns why the result cannot be trusted, or null when the page was really tested. */
export function inconclusiveReason(facts: PageFacts, untestedFrames: readonly string[]): string | null {
  const head = `${facts.title}\n${facts.text.slice(0, 600)}`;
  // Bot walls are short pages; a long article that mentions "captcha" is a real page.
  if (facts.textLength < 1_500 && BOT_WALL.some((re) => re.test(head))) return 'page looks like a bot wall or captcha';
  if (facts.readyState === 'loading') return 'page was still loading when the time budget ran out';
  if (facts.textLength < 20 && facts.mediaCount === 0) return 'page body is nearly empty';
  if (facts.busy || (facts.textLength < 200 && /\bloading\b/i.test(facts.text))) return 'page still shows a loading state';
  if (untestedFrames.length > 0) return `${untestedFrames.length} frame(s) could not be tested`;
  return null;
}
