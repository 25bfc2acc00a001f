import { Migration20261127095902 } from './Migration20261127095902.js';

// Every migration of this service, oldest first. `npm run migrate --workspace apps/<service> -- create`
// writes a new file here; add it to this list.
export const migrations = [Migration20261127095902];
