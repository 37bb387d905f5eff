import { inconclusiveReason, type PageFacts } from './page-facts';

const ARTICLE =
  'Accessibility is about making the web usable by everyone. This guide walks through headings, landmarks, ' +
  'colour contrast, keyboard focus and form labels, with examples for each. ';

/** A healthy, fully loaded page of ordinary text. */
const facts = (over: Partial<PageFacts> = {}): PageFacts => {
  const text = over.text ?? ARTICLE.repeat(3);
  return {
    title: 'A guide to accessible web pages',
    readyState: 'complete',
    text,
    textLength: text.length,
    elementCount: 120,
    mediaCount: 2,
    busy: false,
    ...over,
  };
};

const BOT_WALL = 'page looks like a bot wall or captcha';

describe('inconclusiveReason', () => {
  it('returns null for a healthy, fully loaded page with no untested frames', () => {
    expect(inconclusiveReason(facts(), [])).toBeNull();
  });

  describe('bot walls', () => {
    it.each<[string, Partial<PageFacts>]>([
      ['Cloudflare "Just a moment..." title', { title: 'Just a moment...', text: 'Checking if the site connection is secure' }],
      ['Cloudflare "Attention Required!" title', { title: 'Attention Required! | Cloudflare', text: 'Sorry, you have been blocked' }],
      ['a captcha prompt in the text', { title: 'example.com', text: 'Please complete the CAPTCHA below to continue.' }],
      ['"Access Denied" title', { title: 'Access Denied', text: "You don't have permission to access this server." }],
      ['"access denied" in the text only', { title: 'Error', text: 'Access denied. Reference #18.2f4b' }],
      ['"are you a robot" text', { title: 'Security check', text: 'Are you a robot? Tick the box.' }],
      ['"verify you are human" text', { title: 'Security check', text: 'Please verify you are human to continue.' }],
      ['"unusual traffic" text', { title: 'Sorry...', text: 'Our systems have detected unusual traffic from your network.' }],
      ['"request blocked" text', { title: 'ERROR', text: 'The request could not be satisfied. Request blocked.' }],
      ['"enable JavaScript and cookies" text', { title: 'One more step', text: 'Enable JavaScript and cookies to continue' }],
    ])('flags %s', (_label, over) => {
      const text = over.text ?? '';
      expect(inconclusiveReason(facts({ ...over, textLength: text.length, mediaCount: 0 }), [])).toBe(BOT_WALL);
    });

    it('flags a bot wall even when the page is still busy or has untested frames (bot wall wins)', () => {
      const wall = facts({ title: 'Just a moment...', text: 'Checking your browser', textLength: 21, busy: true });
      expect(inconclusiveReason(wall, ['https://challenges.cloudflare.com/'])).toBe(BOT_WALL);
    });

    it('does not flag a long real article that mentions captcha', () => {
      const text = `Why CAPTCHA hurts accessibility. ${ARTICLE.repeat(10)}`;
      expect(text.length).toBeGreaterThanOrEqual(1_500);
      expect(inconclusiveReason(facts({ title: 'Captcha and accessibility', text }), [])).toBeNull();
    });

    it('flags a short page (under 1,500 characters) that mentions captcha', () => {
      const text = `Why CAPTCHA hurts accessibility. ${ARTICLE}`;
      expect(text.length).toBeLessThan(1_500);
      expect(inconclusiveReason(facts({ text }), [])).toBe(BOT_WALL);
    });

    it('only looks at the first 600 characters of the text', () => {
      const text = `${'x'.repeat(600)} captcha`;
      expect(inconclusiveReason(facts({ text, textLength: text.length }), [])).toBeNull();
    });
  });

  it('reports a page whose readyState is "loading" as still loading', () => {
    expect(inconclusiveReason(facts({ readyState: 'loading' }), [])).toBe('page was still loading when the time budget ran out');
  });

  it.each(['interactive', 'complete'])('accepts readyState "%s"', (readyState) => {
    expect(inconclusiveReason(facts({ readyState }), [])).toBeNull();
  });

  describe('near-empty body', () => {
    it.each([
      ['an empty body', ''],
      ['a body of 19 characters', 'x'.repeat(19)],
    ])('reports %s without media as nearly empty', (_label, text) => {
      expect(inconclusiveReason(facts({ text, textLength: text.length, mediaCount: 0 }), [])).toBe('page body is nearly empty');
    });

    it('accepts a body of exactly 20 characters of text', () => {
      const text = 'Welcome to our shop.';
      expect(text).toHaveLength(20);
      expect(inconclusiveReason(facts({ text, textLength: 20, mediaCount: 0 }), [])).toBeNull();
    });

    it('does not call a text-less page with an image nearly empty', () => {
      expect(inconclusiveReason(facts({ text: '', textLength: 0, mediaCount: 1 }), [])).toBeNull();
    });
  });

  describe('loading state', () => {
    it('reports a page marked aria-busy as still loading', () => {
      expect(inconclusiveReason(facts({ busy: true }), [])).toBe('page still shows a loading state');
    });

    it.each(['Loading...', 'Loading', 'Please wait, loading content'])('reports a short page reading "%s" as still loading', (text) => {
      expect(inconclusiveReason(facts({ text, textLength: text.length }), [])).toBe('page still shows a loading state');
    });

    it('accepts a long page that mentions loading', () => {
      const text = `Lazy loading images. ${ARTICLE.repeat(2)}`;
      expect(text.length).toBeGreaterThanOrEqual(200);
      expect(inconclusiveReason(facts({ text }), [])).toBeNull();
    });

    it('only matches "loading" as a whole word', () => {
      const text = 'Download our free e-book on downloading and uploading files.';
      expect(inconclusiveReason(facts({ text, textLength: text.length }), [])).toBeNull();
    });
  });

  it.each([
    [['https://ads.example/frame'], '1 frame(s) could not be tested'],
    [['https://a.example/', 'https://b.example/', 'https://c.example/'], '3 frame(s) could not be tested'],
  ])('reports untested frames %j', (frames, reason) => {
    expect(inconclusiveReason(facts(), frames)).toBe(reason);
  });
});
