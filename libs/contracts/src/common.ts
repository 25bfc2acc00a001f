import { z } from 'zod';

// Field messages are shown to people next to the field: "subject: is required" reads better than zod's default.
z.config({
  customError: (issue) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
});

export const Id = z.uuid({ message: 'must be a UUID' });
/** Every request names its tenant; services put it in every WHERE clause. */
export const AccountScoped = z.object({ accountId: Id });

export const IsoDateTime = z.iso.datetime({ offset: true });

export const PageRequest = z.object({
  /** Opaque keyset cursor from the previous page's `nextCursor`. */
  after: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export const PageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Every service answers `<service>.ping` with its own dependencies' state (used by /health/ready). */
export const PingRequest = z.object({});
export const PingResponse = z.object({ service: z.string(), database: z.literal('up') });
