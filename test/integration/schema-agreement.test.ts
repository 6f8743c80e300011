import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from '../support/databases';

interface SchemaModel {
  name: string;
  table: string;
  columns: Record<string, boolean>;
}

/** Reads models (table, columns, nullability) and enums from prisma/schema.prisma as written in this project. */
function readSchema(): { models: SchemaModel[]; enums: Record<string, string[]> } {
  const text = fs.readFileSync(path.resolve(__dirname, '../../prisma/schema.prisma'), 'utf8');
  const blocks = [...text.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(blocks.filter((b) => b[1] === 'model').map((b) => b[2]));
  const enums: Record<string, string[]> = {};
  const models: SchemaModel[] = [];
  for (const [, kind, name, body] of blocks) {
    const lines = body.split('\n').map((l) => l.replace(/\/\/.*$/, '').trim()).filter((l) => l && !l.startsWith('@@'));
    if (kind === 'enum') {
      enums[name] = lines.map((l) => l.split(/\s+/)[0]);
      continue;
    }
    const columns: Record<string, boolean> = {};
    for (const line of lines) {
      const [field, type] = line.split(/\s+/);
      const baseType = type.replace(/[?[\]]/g, '');
      if (modelNames.has(baseType)) continue;
      const mapped = /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field;
      // Prisma creates scalar-list columns (Type[]) without NOT NULL.
      columns[mapped] = type.endsWith('?') || type.endsWith('[]');
    }
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name;
    models.push({ name, table, columns });
  }
  return { models, enums };
}

/**
 * prisma/schema.prisma is the source of truth and the SQL migrations are written from it: this test fails
 * when they disagree (a model, column, nullability or enum value that one has and the other has not).
 */
describe('the migrations and prisma/schema.prisma', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const schema = readSchema();
  const models = schema.models;

  it('has every model and enum of the schema parsed (the reader itself works)', () => {
    expect(models.length).toBeGreaterThanOrEqual(15);
    expect(schema.enums.ApprovalState).toEqual(['IN_PROCESS', 'INCOME_VERIFICATION', 'APPROVED', 'REJECTED']);
    expect(models.find((m) => m.name === 'OtpChallenge')?.columns).toMatchObject({ consumed_at: true, phone_hash: false });
  });

  it('create exactly the tables of the models (plus Prisma\'s migration ledger)', async () => {
    const { rows } = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    const expected = models.map((m) => m.table).concat('_prisma_migrations').sort();
    expect(rows.map((r) => r.table_name).sort()).toEqual(expected);
  });

  it.each(models.map((m) => [m.name, m]))('give model %s exactly its columns with the same nullability', async (_name, model) => {
    const { rows } = await client.query<{ column_name: string; is_nullable: string }>(
      "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
      [model.table],
    );
    const actual = Object.fromEntries(rows.map((r) => [r.column_name, r.is_nullable === 'YES']));
    expect(actual).toEqual(model.columns);
  });

  it('create every enum with the schema\'s values, in order', async () => {
    const { rows } = await client.query<{ typname: string; labels: string[] }>(
      "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname",
    );
    const actual = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    expect(actual).toEqual(schema.enums);
  });
});
