import { Module } from '@nestjs/common';
import { FormsModule } from '../forms/forms.module.js';
import { FormsRelay } from '../outbox/forms-relay.js';
import { SubmissionDelivery } from './submission-delivery.js';
import { SubmissionPace } from './submission-pace.js';
import { SubmissionsController } from './submissions.controller.js';
import { SubmissionsService } from './submissions.service.js';

/** Submissions and what follows one: the outbox relay and its delivery to identity, tickets and inbox. */
@Module({
  imports: [FormsModule],
  controllers: [SubmissionsController],
  providers: [SubmissionsService, SubmissionDelivery, SubmissionPace, FormsRelay],
  exports: [FormsRelay],
})
export class SubmissionsModule {}
