import { Module } from '@nestjs/common';
import { RateLimiter } from '../http/rate-limiter.js';
import { FormsApiController } from './forms-api.controller.js';
import { FormsSubmitController } from './forms-submit.controller.js';
import { SubmissionRateLimiter } from './submission-rate-limiter.js';

/** Public form submissions (native and HubSpot-shaped) and the admin forms API. */
@Module({
  controllers: [FormsSubmitController, FormsApiController],
  providers: [RateLimiter, SubmissionRateLimiter],
})
export class FormsModule {}
