import { PingRequest, PingResponse } from './common.js';
import { rpc } from './rpc.js';

export const FormsRpc = {
  'forms.ping': rpc(PingRequest, PingResponse),
};
