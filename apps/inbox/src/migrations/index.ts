// Every migration of this service, oldest first. `npm run migrate --workspace apps/<service> -- create`
// writes a new file here; add it to this list.
export const migrations = [];
