import { Migration20261127064607 } from './Migration20261127064607.js';
import { Migration20261127071536 } from './Migration20261127071536.js';

// Every migration of this service, oldest first. `npm run migrate --workspace apps/<service> -- create`
// writes a new file here; add it to this list.
export const migrations = [Migration20261127064607, Migration20261127071536];
