import { PageRequest } from '@helpdesk/contracts';
import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';

/** `?after&limit` of a keyset page; nothing else. */
export const PageQuery = PageRequest.strict();

export const ApiPageQuery = () =>
  applyDecorators(
    ApiQuery({ name: 'after', required: false, description: 'nextCursor of the previous page' }),
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
    }),
  );
