// Prisma 7 configuration: the schema, and the database URL for the CLI. Migrations are SQL in Prisma's
// layout applied by src/lib/db/migrate.ts (no native engine is needed here; see README "Migrations").
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/credit_partner' },
});
