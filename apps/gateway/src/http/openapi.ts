import type { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

type SchemaObject = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

/** The OpenAPI form of a contract schema, so the docs come from the same definitions the services validate with. */
export const openApi = (schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as SchemaObject;
