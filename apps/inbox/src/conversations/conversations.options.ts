import type { FileStorage } from '@helpdesk/kit';

export interface ConversationsOptions {
  /** The shared file storage the gateway writes uploads into. */
  storage: FileStorage;
  maxAttachmentBytes: number;
  maxAttachmentsPerMessage: number;
}

export const CONVERSATIONS_OPTIONS = Symbol('CONVERSATIONS_OPTIONS');
