// Used only by `npm run db:diff` to print SQL for a schema change (Prisma's WebAssembly schema engine;
// no database is touched). See ../shared/docs/prisma-offline.md and README "Migrations".
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: '../prisma/schema.prisma',
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
  },
});
