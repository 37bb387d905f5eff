import { HttpError } from '../http-errors';
import { rowsFromCsv, rowsFromJson } from './prospect-import';

const refusal = (text: string) => {
  try {
    rowsFromCsv(text);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return (err as HttpError).message;
  }
  throw new Error('expected the CSV to be refused');
};

describe('rowsFromCsv', () => {
  it('maps columns by the header in any order and case, treating empty cells as absent', () => {
    const { rows, ignoredColumns } = rowsFromCsv('Name,URL,client_id,notes\r\n"A, Inc.",https://a.example/,,\r\n');
    expect(ignoredColumns).toEqual([]);
    expect(rows).toEqual([{ ref: { line: 2 }, data: { name: 'A, Inc.', url: 'https://a.example/' } }]);
  });

  it('reads the external id column as externalId or external_id', () => {
    for (const header of ['url,externalId', 'URL,External_ID']) {
      const { rows, ignoredColumns } = rowsFromCsv(`${header}\nhttps://a.example/,prospect-123\n`);
      expect(ignoredColumns).toEqual([]);
      expect(rows[0].data).toEqual({ url: 'https://a.example/', externalId: 'prospect-123' });
    }
  });

  it('reports unknown columns and leaves them out of the rows', () => {
    const { rows, ignoredColumns } = rowsFromCsv('url,Owner\nhttps://a.example/,sam\n');
    expect(ignoredColumns).toEqual(['Owner']);
    expect(rows[0].data).toEqual({ url: 'https://a.example/' });
  });

  it('skips blank lines but keeps the line numbers of the rows after them', () => {
    const { rows } = rowsFromCsv('url\n\nhttps://a.example/\n ,\n');
    expect(rows.map((r) => r.ref)).toEqual([{ line: 3 }]);
  });

  it('turns a row with the wrong number of fields or a broken quote into a row error', () => {
    const { rows } = rowsFromCsv('url,name\nhttps://a.example/\n"x"y,z\n');
    expect(rows).toEqual([
      { ref: { line: 2 }, error: 'has 1 field; the header has 2' },
      { ref: { line: 3 }, error: 'unexpected text after a closing quote' },
    ]);
  });

  it.each([
    ['an empty file', '', /empty/],
    ['a header without url', 'name\nx\n', /url column/],
    ['a repeated column', 'url,clientId,client_id\n', /clientId column twice/],
    ['a broken header', '"url\n', /line 1: quoted field is not closed/],
  ])('refuses %s as a whole', (_what, text, message) => {
    expect(refusal(text)).toMatch(message);
  });

  it('refuses more than 10,000 rows as a whole', () => {
    const text = `url\n${'https://a.example/\n'.repeat(10_001)}`;
    expect(refusal(text)).toMatch(/at most 10000/);
    expect(rowsFromCsv(`url\n${'https://a.example/\n'.repeat(10_000)}`).rows).toHaveLength(10_000);
  });
});

describe('rowsFromJson', () => {
  it('keeps objects and marks anything else as a row error, by index', () => {
    expect(rowsFromJson([{ url: 'x' }, 'y', null, []])).toEqual([
      { ref: { index: 0 }, data: { url: 'x' } },
      { ref: { index: 1 }, error: expect.stringMatching(/must be an object/) },
      { ref: { index: 2 }, error: expect.stringMatching(/must be an object/) },
      { ref: { index: 3 }, error: expect.stringMatching(/must be an object/) },
    ]);
  });
});
