import { serviceOrmConfig } from '@helpdesk/kit';
import { fileURLToPath } from 'node:url';
import { Form } from './forms/form.entity.js';
import { migrations } from './migrations/index.js';
import { FormsOutbox } from './outbox/forms-outbox.entity.js';
import { Submission } from './submissions/submission.entity.js';

export const ormConfig = (databaseUrl: string, poolMax?: number) =>
  serviceOrmConfig({
    schema: 'forms',
    clientUrl: databaseUrl,
    entities: [Form, Submission, FormsOutbox],
    migrations,
    migrationsPath: fileURLToPath(new URL('../src/migrations', import.meta.url)),
    poolMax,
  });
