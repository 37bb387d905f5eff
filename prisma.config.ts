import 'dotenv/config';
import { defineConfig } from 'prisma/config';

// The CLI needs a URL only for migrate/studio; generate works without a database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://wcag:wcag@127.0.0.1:5432/wcag' },
});
