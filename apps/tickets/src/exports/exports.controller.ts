import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ExportsService } from './exports.service.js';

@Controller()
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Serves('tickets.exports.start')
  start(@Payload() request: RpcPayload<'tickets.exports.start'>) {
    return this.exports.start(request);
  }

  @Serves('tickets.exports.get')
  get(@Payload() request: RpcPayload<'tickets.exports.get'>) {
    return this.exports.get(request);
  }
}
