import { LOGGER, type Logger } from '@helpdesk/kit';
import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { sendError } from './error-response.js';

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    sendError(exception, host.switchToHttp().getResponse<Response>(), this.logger);
  }
}
