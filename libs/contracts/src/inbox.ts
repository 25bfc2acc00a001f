import { PingRequest, PingResponse } from './common.js';
import { rpc } from './rpc.js';

export const InboxRpc = {
  'inbox.ping': rpc(PingRequest, PingResponse),
};
