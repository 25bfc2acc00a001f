import type { z } from 'zod';

/** A request/reply subject: its request schema (validated by the serving side) and its response shape. */
export interface RpcDefinition<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
}

export const rpc = <Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
): RpcDefinition<Req, Res> => ({
  request,
  response,
});
