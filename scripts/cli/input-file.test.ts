import { UsageError } from './args';
import { MAX_ITEMS, parseInputFile } from './input-file';

describe('parseInputFile', () => {
  it('keeps one id per line, skipping comments, inline comments and blank lines, with line numbers', () => {
    const text = '\uFEFFprospect-123\r\n# a comment\n\n  prospect-456  \nprospect-789 # the big one\n';
    expect(parseInputFile(text, { urls: false, fileName: 'ids.txt' })).toEqual([
      { line: 1, value: 'prospect-123' },
      { line: 4, value: 'prospect-456' },
      { line: 5, value: 'prospect-789' },
    ]);
  });

  it('keeps URL fragments (a # without a space before it) in --urls mode', () => {
    expect(parseInputFile('https://a.example/#main\nhttp://b.example/x?y=1 # note', { urls: true, fileName: 'u' })).toEqual([
      { line: 1, value: 'https://a.example/#main' },
      { line: 2, value: 'http://b.example/x?y=1' },
    ]);
  });

  it.each([
    ['two values on a line', 'a b\n', false, /ids.txt:1: expected one prospect id per line, got "a b"/],
    ['a URL without --urls', 'ok\nhttps://x.example/\n', false, /ids.txt:2: "https:\/\/x.example\/" is a URL; pass --urls/],
    ['a non-URL with --urls', 'https://ok.example/\nnot-a-url\n', true, /ids.txt:2: not an http\(s\) URL: "not-a-url"/],
    ['an ftp URL with --urls', 'ftp://x.example/\n', true, /ids.txt:1: not an http\(s\) URL/],
    ['only comments', '# nothing\n\n', false, /ids.txt: no prospect ids in the file/],
    ['a binary file', 'a\u0000b', false, /ids.txt: not a text file/],
  ])('rejects %s', (_name, text, urls, message) => {
    expect(() => parseInputFile(text, { urls, fileName: 'ids.txt' })).toThrow(UsageError);
    expect(() => parseInputFile(text, { urls, fileName: 'ids.txt' })).toThrow(message);
  });

  it('rejects more items than one bulk takes', () => {
    const text = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => `p-${i}`).join('\n');
    expect(() => parseInputFile(text, { urls: false, fileName: 'big.txt' })).toThrow(/10001 items; one bulk takes at most 10000/);
  });
});
