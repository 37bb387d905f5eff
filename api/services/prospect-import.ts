import { badRequest } from '../http-errors';
import { MAX_IMPORT_ROWS } from '../schemas/prospects.schema';
import { parseCsv } from './csv';

/** Where a row came from: its CSV line, or its index in the JSON `prospects` array. */
export type RowRef = { line: number } | { index: number };

/** One row to import, not yet validated; `error` when it could not even be read. */
export interface RawImportRow {
  ref: RowRef;
  data?: Record<string, unknown>;
  error?: string;
}

const COLUMNS: Record<string, 'url' | 'name' | 'notes' | 'externalId' | 'clientId'> = {
  url: 'url',
  name: 'name',
  notes: 'notes',
  externalid: 'externalId',
  external_id: 'externalId',
  clientid: 'clientId',
  client_id: 'clientId',
};

/**
 * Rows of a CSV import: a header row naming the columns (`url` required; `name`, `notes`, `externalId`, `clientId` optional, any
 * order, any case), then one prospect a line. Empty cells count as absent, blank lines are ignored, unknown columns
 * are ignored and reported. A malformed header or too many rows refuse the whole file (400); a malformed row only
 * skips that row.
 */
export function rowsFromCsv(text: string): { rows: RawImportRow[]; ignoredColumns: string[] } {
  const records = parseCsv(text).filter((r) => r.error !== undefined || r.fields.some((f) => f.trim() !== ''));
  const header = records.shift();
  if (!header) throw badRequest('the CSV is empty; its first line must be a header such as url,name,notes');
  if (header.error !== undefined) throw badRequest(`line ${header.line}: ${header.error}`);

  const columns = header.fields.map((f) => COLUMNS[f.trim().toLowerCase()]);
  const ignoredColumns = header.fields.filter((_f, i) => columns[i] === undefined).map((f) => f.trim());
  if (!columns.includes('url')) {
    throw badRequest('the CSV header must name a url column (url,name,notes[,externalId][,clientId])');
  }
  const repeated = columns.find((c, i) => c !== undefined && columns.indexOf(c) !== i);
  if (repeated) throw badRequest(`the CSV header names the ${repeated} column twice`);
  if (records.length > MAX_IMPORT_ROWS) {
    throw badRequest(`at most ${MAX_IMPORT_ROWS} prospects per import; this file has ${records.length}`);
  }

  const rows = records.map((record): RawImportRow => {
    const ref = { line: record.line };
    if (record.error !== undefined) return { ref, error: record.error };
    if (record.fields.length !== columns.length) {
      const n = record.fields.length;
      return { ref, error: `has ${n} field${n === 1 ? '' : 's'}; the header has ${columns.length}` };
    }
    const data: Record<string, unknown> = {};
    record.fields.forEach((value, i) => {
      const column = columns[i];
      if (column && value.trim() !== '') data[column] = value;
    });
    return { ref, data };
  });
  return { rows, ignoredColumns };
}

/** Rows of a JSON import, each checked later on its own. */
export function rowsFromJson(prospects: unknown[]): RawImportRow[] {
  return prospects.map((item, index) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? { ref: { index }, data: item as Record<string, unknown> }
      : { ref: { index }, error: 'must be an object such as { "url": "https://…" }' },
  );
}
