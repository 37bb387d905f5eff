/** One CSV record: its fields, or why it could not be read; `line` is the 1-based line it starts on. */
export type CsvRecord = { line: number; fields: string[]; error?: undefined } | { line: number; fields?: undefined; error: string };

/**
 * RFC 4180 parser: comma-separated fields, CRLF, LF or CR record ends, double-quoted fields that may hold commas,
 * quotes (as "") and line breaks. A leading UTF-8 BOM is dropped, and a final line break does not make an empty
 * record. A malformed record (text after a closing quote, a quoted field left open) is returned with `error`
 * instead of aborting the parse: after a closing quote the parser is back outside quotes, so the next line break
 * ends the bad record and the rest of the input is read normally. A quote inside an unquoted field is kept as text,
 * as spreadsheet programs read it.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = input.length;
  let i = 0;
  let line = 1;

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    let field = '';
    let ended = false;

    while (!ended) {
      if (input[i] === '"') {
        // quoted field
        i++;
        let closed = false;
        while (i < n) {
          const c = input[i];
          if (c === '"') {
            if (input[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n' || (c === '\r' && input[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        if (!closed) {
          error = 'quoted field is not closed';
          break;
        }
        if (i < n && input[i] !== ',' && input[i] !== '\r' && input[i] !== '\n') {
          error ??= 'unexpected text after a closing quote';
          // Skip to the end of this record; the next line break outside quotes ends it.
          while (i < n && input[i] !== '\r' && input[i] !== '\n') i++;
        }
      } else {
        while (i < n && input[i] !== ',' && input[i] !== '\r' && input[i] !== '\n') field += input[i++];
      }

      fields.push(field);
      field = '';
      if (i >= n) ended = true;
      else if (input[i] === ',') i++;
      else {
        // \r\n, \n or a lone \r ends the record
        i += input[i] === '\r' && input[i + 1] === '\n' ? 2 : 1;
        line++;
        ended = true;
      }
      // A comma as the very last character leaves one more (empty) field.
      if (!ended && i >= n) {
        fields.push('');
        ended = true;
      }
    }
    records.push(error === undefined ? { line: start, fields } : { line: start, error });
  }
  return records;
}

/** Quotes a field when it needs it, so `parseCsv` reads it back unchanged. Lossless: for CSV we parse ourselves. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

// A cell a spreadsheet could run as a formula: one starting (after optional blanks) with = + - @, or with tab or CR.
const FORMULA_START = /^[ \t\r\n]*[=+\-@]|^[\t\r]/;
// A separator some spreadsheet splits cells on ("," or ";" by locale, tab, line breaks) followed by a formula start.
const FORMULA_AFTER_SEPARATOR = /([,;\t\r\n])(?=[ \t\r\n]*[=+\-@])/g;

/**
 * One cell of a CSV meant for people (exports built from page content), neutralised against formula injection
 * (OWASP "CSV Injection"). A cell starting with = + - @, tab or CR is prefixed with `'`; so is every place inside it
 * where a formula would start if a spreadsheet split the cell at a `,` `;` tab or line break (a `;`-separated
 * locale, a tab-delimited paste: a cell's quotes only help when it is the first on its line); and a cell holding a
 * separator or a quote is quoted. Not lossless by design: the JSON export keeps the exact text.
 */
export function csvCell(value: string): string {
  let safe = value.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  if (FORMULA_START.test(safe)) safe = `'${safe}`;
  return /[",;\t\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
