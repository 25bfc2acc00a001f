import { Migration20261127064427 } from './Migration20261127064427.js';
import { Migration20261127075045 } from './Migration20261127075045.js';
import { Migration20261127075532 } from './Migration20261127075532.js';
import { Migration20261127080716 } from './Migration20261127080716.js';
import { Migration20261127081746 } from './Migration20261127081746.js';
import { Migration20261127085800 } from './Migration20261127085800.js';

// Every migration of this service, oldest first. `npm run migrate --workspace apps/<service> -- create`
// writes a new file here; add it to this list.
export const migrations = [
  Migration20261127064427,
  Migration20261127075045,
  Migration20261127075532,
  Migration20261127080716,
  Migration20261127081746,
  Migration20261127085800,
];
