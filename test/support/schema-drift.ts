// Compares a live Postgres schema with schema.prisma without Prisma's native schema
// engine (`prisma migrate diff` cannot run where the engine cannot be downloaded).
// The datamodel comes from Prisma's own wasm parser (@prisma/get-dmmf), so names,
// @map/@@map, native types and indexes are read exactly as Prisma reads them; the
// database side is read from pg_catalog. Known blind spots: foreign-key names (DMMF
// does not expose `map:` on relations), CHECK constraints, views, multiSchema,
// Unsupported(...) fields, and relationMode = "prisma".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { getDMMF } from '@prisma/get-dmmf';

/** The subset of Prisma's DMMF datamodel that drift detection reads. */
export interface DriftDatamodel {
  readonly models: readonly DriftModel[];
  readonly enums: readonly DriftEnum[];
  readonly indexes: readonly DriftIndex[];
}

interface DriftModel {
  readonly name: string;
  readonly dbName: string | null;
  readonly fields: readonly DriftField[];
}

interface DriftField {
  readonly name: string;
  readonly dbName?: string | null;
  readonly kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  readonly type: string;
  readonly isList: boolean;
  readonly isRequired: boolean;
  readonly nativeType?: readonly [string, readonly string[]] | null;
  readonly default?: unknown;
  readonly relationName?: string;
  readonly relationFromFields?: readonly string[];
  readonly relationToFields?: readonly string[];
  readonly relationOnDelete?: string;
  readonly relationOnUpdate?: string;
}

interface DriftEnum {
  readonly name: string;
  readonly dbName?: string | null;
  readonly values: readonly { readonly name: string; readonly dbName: string | null }[];
}

interface DriftIndex {
  readonly model: string;
  readonly type: 'id' | 'normal' | 'unique' | 'fulltext';
  readonly dbName?: string;
  readonly algorithm?: string;
  readonly fields: readonly { readonly name: string; readonly sortOrder?: 'asc' | 'desc' }[];
}

/** Anything with pg's query signature: a Client, a Pool or a PoolClient. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** Options for findSchemaDrift. */
export interface DriftOptions {
  /** Postgres schema holding the tables; Prisma's default is public. */
  schema?: string;
  /** Tables that exist outside the datamodel on purpose; _prisma_migrations is always ignored. */
  ignoreTables?: string[];
}

const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Parses Prisma schema source (one file, or [filename, source] pairs) into its datamodel via Prisma's wasm parser. */
export function datamodelFromSource(source: string | [string, string][]): DriftDatamodel {
  const result = getDMMF({ datamodel: source });
  if ('type' in result) {
    throw new Error(`Prisma schema does not parse (${result.type}): ${stripAnsi(result.error?.message ?? result.reason)}`);
  }
  return result.datamodel;
}

/** Loads the datamodel of a schema.prisma file, or of every .prisma file under a schema folder. */
export function loadDatamodel(schemaPath: string): DriftDatamodel {
  if (!statSync(schemaPath).isDirectory()) return datamodelFromSource([[schemaPath, readFileSync(schemaPath, 'utf8')]]);
  const files: [string, string][] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.prisma')) files.push([full, readFileSync(full, 'utf8')]);
    }
  };
  walk(schemaPath);
  return datamodelFromSource(files);
}

// Postgres' identifier limit, which Prisma's default constraint names are cut to.
const MAX_IDENT = 63;

// Mirrors psl's ConstraintNames so an index whose name differs from what Prisma would
// generate is flagged: `migrate diff` would emit a RENAME for it.
function defaultPrimaryKeyName(table: string): string {
  return `${table.length >= MAX_IDENT - 5 ? table.slice(0, MAX_IDENT - 5) : table}_pkey`;
}

function defaultIndexName(table: string, columns: string[], suffix: '_key' | '_idx'): string {
  const base = `${table}_${columns.join('_')}`;
  return `${base.length >= MAX_IDENT - suffix.length ? base.slice(0, MAX_IDENT - suffix.length) : base}${suffix}`;
}

// Without @db.*, Prisma's Postgres connector picks these column types.
const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

// Rendered the way format_type() prints them, so expected and actual compare as strings.
function nativeType(name: string, args: readonly string[]): string | undefined {
  const a = args.join(',');
  const withArgs = (base: string, fallback = base): string => (args.length ? `${base}(${a})` : fallback);
  switch (name) {
    case 'Text':
      return 'text';
    case 'Uuid':
      return 'uuid';
    case 'Xml':
      return 'xml';
    case 'Inet':
      return 'inet';
    case 'Citext':
      return 'citext';
    case 'VarChar':
      return withArgs('character varying');
    case 'Char':
      return withArgs('character', 'character(1)');
    case 'Bit':
      return withArgs('bit', 'bit(1)');
    case 'VarBit':
      return withArgs('bit varying');
    case 'Integer':
      return 'integer';
    case 'SmallInt':
      return 'smallint';
    case 'BigInt':
      return 'bigint';
    case 'Oid':
      return 'oid';
    case 'DoublePrecision':
      return 'double precision';
    case 'Real':
      return 'real';
    case 'Decimal':
      return withArgs('numeric');
    case 'Money':
      return 'money';
    case 'Timestamp':
      return `${withArgs('timestamp')} without time zone`;
    case 'Timestamptz':
      return `${withArgs('timestamp')} with time zone`;
    case 'Time':
      return `${withArgs('time')} without time zone`;
    case 'Timetz':
      return `${withArgs('time')} with time zone`;
    case 'Date':
      return 'date';
    case 'Boolean':
      return 'boolean';
    case 'Json':
      return 'json';
    case 'JsonB':
      return 'jsonb';
    case 'ByteA':
      return 'bytea';
    default:
      return undefined;
  }
}

// Postgres' default time precision is 6, printed without a modifier; treat both spellings alike.
const canonicalType = (t: string): string => t.replace(/^(timestamp|time)\(6\)/, '$1');

const FK_ACTIONS: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

interface DbColumn {
  table: string;
  column: string;
  not_null: boolean;
  type: string;
  typtype: string;
  typname: string;
  elem_typtype: string | null;
  elem_typname: string | null;
  default_expr: string | null;
  identity: string;
}

interface DbIndex {
  table: string;
  name: string;
  is_unique: boolean;
  is_primary: boolean;
  method: string;
  partial: boolean;
  columns: (string | null)[];
  descending: boolean[];
}

interface DbForeignKey {
  table: string;
  name: string;
  ref_table: string;
  columns: string[];
  ref_columns: string[];
  on_delete: string;
  on_update: string;
}

async function introspect(db: Queryable, schema: string) {
  const tables = await db.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  const columns = await db.query<DbColumn>(
    `SELECT c.relname AS table, a.attname AS column, a.attnotnull AS not_null,
            format_type(a.atttypid, a.atttypmod) AS type, t.typtype::text AS typtype, t.typname::text AS typname,
            et.typtype::text AS elem_typtype, et.typname::text AS elem_typname,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const indexes = await db.query<DbIndex>(
    `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
            am.amname::text AS method, ix.indpred IS NOT NULL AS partial,
            ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum <> 0
                   WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord) AS columns,
            ARRAY(SELECT (o.opt & 1) = 1 FROM unnest(ix.indoption::int2[]) WITH ORDINALITY o(opt, ord)
                   WHERE o.ord <= ix.indnkeyatts ORDER BY o.ord) AS descending
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')`,
    [schema],
  );
  const foreignKeys = await db.query<DbForeignKey>(
    `SELECT t.relname AS table, con.conname AS name, rt.relname AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
            con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class rt ON rt.oid = con.confrelid
      WHERE con.contype = 'f' AND n.nspname = $1`,
    [schema],
  );
  const enums = await db.query<{ name: string; labels: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 GROUP BY t.typname`,
    [schema],
  );
  return {
    tables: tables.rows.map((r) => r.table),
    columns: columns.rows,
    indexes: indexes.rows,
    foreignKeys: foreignKeys.rows,
    enums: enums.rows,
  };
}

type ExpectedDefault =
  { kind: 'none' } | { kind: 'sequence' } | { kind: 'now' } | { kind: 'present' } | { kind: 'literal'; text: string; quoted: boolean };

// Only defaults that live in the database count: uuid()/cuid()/nanoid()/ulid() are filled
// in by the client, so a DB default there is drift Prisma would drop.
function expectedDefault(field: DriftField, enumValueDbName: (value: string) => string): ExpectedDefault {
  const d = field.default;
  if (d === undefined || d === null) return { kind: 'none' };
  if (Array.isArray(d)) return { kind: 'present' };
  if (typeof d === 'object') {
    const name = (d as { name?: string }).name;
    if (name === 'autoincrement' || name === 'sequence') return { kind: 'sequence' };
    if (name === 'now') return { kind: 'now' };
    if (name === 'uuid' || name === 'cuid' || name === 'nanoid' || name === 'ulid') return { kind: 'none' };
    return { kind: 'present' };
  }
  if (typeof d === 'string') {
    if (field.kind === 'enum') return { kind: 'literal', text: enumValueDbName(d), quoted: true };
    if (field.type === 'String' || field.type === 'Json') return { kind: 'literal', text: d, quoted: true };
    return { kind: 'present' };
  }
  if ((typeof d === 'number' || typeof d === 'boolean') && field.type !== 'Decimal') {
    return { kind: 'literal', text: String(d), quoted: false };
  }
  return { kind: 'present' };
}

function defaultDifference(expected: ExpectedDefault, col: DbColumn): string | undefined {
  const actual = col.default_expr;
  const isSequence = col.identity !== '' || (actual !== null && /^nextval\(/i.test(actual));
  const shown = actual ?? 'none';
  switch (expected.kind) {
    case 'none':
      if (actual === null && col.identity === '') return undefined;
      return `has database default ${actual ?? 'GENERATED AS IDENTITY'}, schema has none`;
    case 'sequence':
      return isSequence ? undefined : `default is ${shown}, schema has autoincrement() (sequence or identity)`;
    case 'now':
      return actual !== null && /^(CURRENT_TIMESTAMP|now\(\))/i.test(actual) ? undefined : `default is ${shown}, schema has now()`;
    case 'present':
      return actual !== null || col.identity !== '' ? undefined : 'has no database default, schema has one';
    case 'literal': {
      if (actual === null) return `has no database default, schema has ${expected.text}`;
      const literal = expected.quoted ? `'${expected.text.replace(/'/g, "''")}'` : expected.text;
      // Strip casts and parentheses Postgres adds when it prints the stored expression.
      const bare = actual.replace(/(::[\w ."[\]]+)+$/, '').replace(/^\((.*)\)$/, '$1');
      const ok = expected.quoted ? bare === literal : bare === literal || bare === `'${literal}'`;
      return ok ? undefined : `default is ${actual}, schema has ${literal}`;
    }
  }
}

/** Lists every difference between the database schema and the Prisma datamodel, as sentences; empty means no drift. */
export async function findSchemaDrift(db: Queryable, datamodel: DriftDatamodel, options: DriftOptions = {}): Promise<string[]> {
  const schema = options.schema ?? 'public';
  const ignored = new Set(['_prisma_migrations', ...(options.ignoreTables ?? [])]);
  const live = await introspect(db, schema);
  const drift: string[] = [];

  const modelsByName = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (m: DriftModel): string => m.dbName ?? m.name;
  const columnOf = (m: DriftModel, fieldName: string): string => {
    const f = m.fields.find((x) => x.name === fieldName);
    return f?.dbName ?? fieldName;
  };
  const enumsByName = new Map(datamodel.enums.map((e) => [e.name, e]));
  const enumDbName = (name: string): string => enumsByName.get(name)?.dbName ?? name;

  // Implicit many-to-many relations live in a join table `_<relationName>` with columns A and B.
  const joinTables = new Map<string, [DriftModel, DriftModel]>();
  for (const m of datamodel.models) {
    for (const f of m.fields) {
      if (f.kind !== 'object' || !f.isList || !f.relationName) continue;
      const target = modelsByName.get(f.type);
      const back = target?.fields.find((x) => x.relationName === f.relationName && x !== f);
      if (target && back?.isList) {
        const pair = [m, target].sort((x, y) => (x.name < y.name ? -1 : 1)) as [DriftModel, DriftModel];
        joinTables.set(`_${f.relationName}`, pair);
      }
    }
  }

  // Tables.
  const liveTables = new Set(live.tables);
  const expectedTables = new Set([...datamodel.models.map(tableOf), ...joinTables.keys()]);
  for (const m of datamodel.models) {
    if (!liveTables.has(tableOf(m))) drift.push(`table ${tableOf(m)} (model ${m.name}) is missing`);
  }
  for (const t of joinTables.keys()) {
    if (!liveTables.has(t)) drift.push(`join table ${t} (implicit many-to-many) is missing`);
  }
  for (const t of live.tables) {
    if (!expectedTables.has(t) && !ignored.has(t)) drift.push(`table ${t} exists in the database but not in the schema`);
  }

  // Columns.
  const liveColumns = new Map<string, Map<string, DbColumn>>();
  for (const c of live.columns) {
    if (!liveColumns.has(c.table)) liveColumns.set(c.table, new Map());
    liveColumns.get(c.table)?.set(c.column, c);
  }
  for (const m of datamodel.models) {
    const table = tableOf(m);
    const cols = liveColumns.get(table);
    if (!cols) continue;
    const expectedCols = new Set<string>();
    for (const f of m.fields) {
      if (f.kind !== 'scalar' && f.kind !== 'enum') continue;
      const name = f.dbName ?? f.name;
      expectedCols.add(name);
      const col = cols.get(name);
      const where = `${table}.${name} (${m.name}.${f.name})`;
      if (!col) {
        drift.push(`column ${where} is missing`);
        continue;
      }
      if (f.kind === 'enum') {
        const wanted = enumDbName(f.type);
        const [typtype, typname] = f.isList ? [col.elem_typtype, col.elem_typname] : [col.typtype, col.typname];
        if (typtype !== 'e' || typname !== wanted) {
          drift.push(`column ${where} has type ${col.type}, expected enum ${wanted}${f.isList ? '[]' : ''}`);
        }
      } else {
        const base = f.nativeType ? nativeType(f.nativeType[0], f.nativeType[1]) : SCALAR_TYPES[f.type];
        if (base === undefined) {
          drift.push(
            `column ${where}: cannot check type ${f.nativeType ? `@db.${f.nativeType[0]}` : f.type}; extend test/support/schema-drift.ts`,
          );
        } else {
          const wanted = f.isList ? `${base}[]` : base;
          if (canonicalType(col.type) !== canonicalType(wanted)) {
            drift.push(`column ${where} has type ${col.type}, expected ${wanted}`);
          }
        }
      }
      // Prisma creates scalar lists as nullable arrays even though a list is never optional in the client.
      if (!f.isList && f.isRequired !== col.not_null) {
        drift.push(`column ${where} is ${col.not_null ? 'NOT NULL' : 'nullable'}, expected ${f.isRequired ? 'NOT NULL' : 'nullable'}`);
      }
      const enumValue = (v: string): string => enumsByName.get(f.type)?.values.find((x) => x.name === v)?.dbName ?? v;
      const defaultDiff = defaultDifference(expectedDefault(f, enumValue), col);
      if (defaultDiff) drift.push(`column ${where} ${defaultDiff}`);
    }
    for (const name of cols.keys()) {
      if (!expectedCols.has(name)) drift.push(`column ${table}.${name} exists in the database but not in model ${m.name}`);
    }
  }
  for (const t of joinTables.keys()) {
    const cols = liveColumns.get(t);
    if (!cols) continue;
    for (const c of ['A', 'B']) if (!cols.has(c)) drift.push(`column ${t}.${c} is missing`);
    for (const c of cols.keys()) if (c !== 'A' && c !== 'B') drift.push(`column ${t}.${c} exists in the database but not in the schema`);
  }

  // Enums: Prisma compares label sets, so order differences are not drift.
  const liveEnums = new Map(live.enums.map((e) => [e.name, e.labels]));
  const expectedEnumNames = new Set<string>();
  for (const e of datamodel.enums) {
    const name = e.dbName ?? e.name;
    expectedEnumNames.add(name);
    const labels = liveEnums.get(name);
    if (!labels) {
      drift.push(`enum ${name} is missing`);
      continue;
    }
    const wanted = e.values.map((v) => v.dbName ?? v.name);
    const missing = wanted.filter((v) => !labels.includes(v));
    const extra = labels.filter((v) => !wanted.includes(v));
    if (missing.length) drift.push(`enum ${name} lacks value(s) ${missing.join(', ')}`);
    if (extra.length) drift.push(`enum ${name} has extra value(s) ${extra.join(', ')}`);
  }
  for (const name of liveEnums.keys()) {
    if (!expectedEnumNames.has(name)) drift.push(`enum ${name} exists in the database but not in the schema`);
  }

  // Indexes, primary keys and uniques, matched by shape and then checked by name.
  const describe = (table: string, cols: readonly (string | null)[], desc: readonly boolean[]): string =>
    `${table}(${cols.map((c, i) => `${c ?? '<expression>'}${desc[i] ? ' DESC' : ''}`).join(', ')})`;
  const shapeKey = (table: string, kind: string, cols: readonly (string | null)[], desc: readonly boolean[], method: string): string =>
    JSON.stringify([table, kind, cols, desc, method]);
  const liveIndexByShape = new Map<string, DbIndex>();
  for (const ix of live.indexes) {
    if (ix.partial || ix.columns.some((c) => c === null)) continue;
    const kind = ix.is_primary ? 'id' : ix.is_unique ? 'unique' : 'normal';
    liveIndexByShape.set(shapeKey(ix.table, kind, ix.columns, ix.descending, ix.method), ix);
  }
  const matched = new Set<DbIndex>();
  for (const ix of datamodel.indexes) {
    if (ix.type === 'fulltext') continue;
    const model = modelsByName.get(ix.model);
    if (!model) continue;
    const table = tableOf(model);
    if (!liveTables.has(table)) continue;
    const cols = ix.fields.map((f) => columnOf(model, f.name));
    const desc = ix.fields.map((f) => f.sortOrder === 'desc');
    const method = (ix.algorithm ?? 'BTree').toLowerCase();
    const wantedName =
      ix.dbName ??
      (ix.type === 'id' ? defaultPrimaryKeyName(table) : defaultIndexName(table, cols, ix.type === 'unique' ? '_key' : '_idx'));
    const label = ix.type === 'id' ? 'primary key' : ix.type === 'unique' ? 'unique index' : 'index';
    const found = liveIndexByShape.get(shapeKey(table, ix.type, cols, desc, method));
    if (!found) {
      drift.push(`${label} ${wantedName} on ${describe(table, cols, desc)}${method !== 'btree' ? ` using ${method}` : ''} is missing`);
      continue;
    }
    matched.add(found);
    if (found.name !== wantedName) {
      drift.push(`${label} on ${describe(table, cols, desc)} is named ${found.name}, expected ${wantedName}`);
    }
  }
  for (const ix of live.indexes) {
    if (matched.has(ix) || !expectedTables.has(ix.table) || joinTables.has(ix.table)) continue;
    const what = ix.is_primary ? 'primary key' : ix.is_unique ? 'unique index' : 'index';
    const extra = ix.partial ? ' (partial)' : '';
    drift.push(
      `${what} ${ix.name} on ${describe(ix.table, ix.columns, ix.descending)}${extra} exists in the database but not in the schema`,
    );
  }

  // Foreign keys, one per relation side that holds `fields:`.
  const fkKey = (table: string, cols: readonly string[], refTable: string, refCols: readonly string[]): string =>
    JSON.stringify([table, cols, refTable, refCols]);
  const liveFks = new Map(live.foreignKeys.map((fk) => [fkKey(fk.table, fk.columns, fk.ref_table, fk.ref_columns), fk]));
  const matchedFks = new Set<DbForeignKey>();
  for (const m of datamodel.models) {
    const table = tableOf(m);
    for (const f of m.fields) {
      if (f.kind !== 'object' || !f.relationFromFields?.length) continue;
      const target = modelsByName.get(f.type);
      if (!target) continue;
      const cols = f.relationFromFields.map((n) => columnOf(m, n));
      const refTable = tableOf(target);
      const refCols = (f.relationToFields ?? []).map((n) => columnOf(target, n));
      const where = `${table}(${cols.join(', ')}) -> ${refTable}(${refCols.join(', ')}) (${m.name}.${f.name})`;
      const fk = liveFks.get(fkKey(table, cols, refTable, refCols));
      if (!fk) {
        if (liveTables.has(table)) drift.push(`foreign key ${where} is missing`);
        continue;
      }
      matchedFks.add(fk);
      // Prisma's defaults: Restrict when every referencing field is required, else SetNull; updates cascade.
      const allRequired = f.relationFromFields.every((n) => m.fields.find((x) => x.name === n)?.isRequired);
      const onDelete = f.relationOnDelete ?? (allRequired ? 'Restrict' : 'SetNull');
      const onUpdate = f.relationOnUpdate ?? 'Cascade';
      if (FK_ACTIONS[fk.on_delete] !== onDelete) {
        drift.push(`foreign key ${fk.name} ${where} has ON DELETE ${FK_ACTIONS[fk.on_delete] ?? fk.on_delete}, expected ${onDelete}`);
      }
      if (FK_ACTIONS[fk.on_update] !== onUpdate) {
        drift.push(`foreign key ${fk.name} ${where} has ON UPDATE ${FK_ACTIONS[fk.on_update] ?? fk.on_update}, expected ${onUpdate}`);
      }
    }
  }
  for (const fk of live.foreignKeys) {
    if (matchedFks.has(fk) || !expectedTables.has(fk.table) || joinTables.has(fk.table)) continue;
    drift.push(
      `foreign key ${fk.name} on ${fk.table}(${fk.columns.join(', ')}) -> ${fk.ref_table}(${fk.ref_columns.join(', ')}) exists in the database but not in the schema`,
    );
  }

  return drift;
}
