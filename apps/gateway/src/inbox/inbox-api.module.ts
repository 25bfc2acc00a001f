import { Module } from '@nestjs/common';
import { UploadsModule } from '../uploads/uploads.module.js';
import { AttachmentsApiController } from './attachments-api.controller.js';
import { InboxesApiController } from './inboxes-api.controller.js';
import { ThreadsApiController } from './threads-api.controller.js';

/** The agents' JSON API over inbox's subjects: inboxes, threads, replies with attachments, notes, timelines. */
@Module({
  imports: [UploadsModule],
  controllers: [InboxesApiController, ThreadsApiController, AttachmentsApiController],
})
export class InboxApiModule {}
