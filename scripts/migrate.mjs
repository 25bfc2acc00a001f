// npm run migrate: applies every service's pending migrations to DATABASE_URL (after a build).
import { migrateAll, requireInfrastructure } from './system.mjs';

await requireInfrastructure();
await migrateAll();
