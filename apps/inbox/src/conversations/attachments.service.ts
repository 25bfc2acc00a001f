import type { AttachmentInput, AttachmentView, RpcPayload } from '@helpdesk/contracts';
import { AppError, LOGGER, type Logger } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { attachmentRefusal, cleanFileName, isAccountUploadKey } from './attachment-rules.js';
import { Attachment } from './attachment.entity.js';
import { CONVERSATIONS_OPTIONS, type ConversationsOptions } from './conversations.options.js';
import { Message } from './message.entity.js';
import { TicketAccess } from './ticket-access.js';

/** An attachment checked and ready to be stored with its message. */
export interface AcceptedAttachment {
  storageKey: string;
  fileName: string;
  contentType: string;
  size: number;
}

@Injectable()
export class AttachmentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: TicketAccess,
    @Inject(CONVERSATIONS_OPTIONS) private readonly options: ConversationsOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Checks the files a reply brings, in order: how many, keys, names, types, sizes (no I/O), then that
   * each file is in the storage and on no message yet. Throws the first rule broken.
   */
  async accept(accountId: string, attachments: AttachmentInput[]): Promise<AcceptedAttachment[]> {
    const refusal = attachmentRefusal(accountId, attachments, {
      maxCount: this.options.maxAttachmentsPerMessage,
      maxBytes: this.options.maxAttachmentBytes,
    });
    if (refusal) throw new AppError(refusal.code, refusal.message, refusal.fields);
    if (attachments.length === 0) return [];
    const missing: Record<string, string[]> = {};
    await Promise.all(
      attachments.map(async (attachment, index) => {
        if (!(await this.options.storage.exists(attachment.storageKey)))
          missing[`attachments.${index}.storageKey`] = ['has no stored file'];
      }),
    );
    if (Object.keys(missing).length)
      throw new AppError('ATTACHMENT_INVALID', 'An attachment’s file is not in the storage', missing);
    const taken = await this.attachedKeys(
      accountId,
      attachments.map((a) => a.storageKey),
    );
    if (taken.size)
      throw new AppError(
        'ATTACHMENT_INVALID',
        'An attachment is already on another message',
        Object.fromEntries(
          attachments
            .map((a, index) => [index, a] as const)
            .filter(([, a]) => taken.has(a.storageKey))
            .map(([index]) => [`attachments.${index}.storageKey`, ['is already on another message']]),
        ),
      );
    return attachments.map((a) => ({
      storageKey: a.storageKey,
      fileName: cleanFileName(a.fileName),
      contentType: a.contentType,
      size: a.size,
    }));
  }

  /**
   * After a refused reply: removes the files it brought. Only this account's uploads that no message
   * holds: a refused request must not be a way to delete another account's file, or one already
   * attached elsewhere.
   */
  async discard(accountId: string, attachments: AttachmentInput[]): Promise<void> {
    const own = [...new Set(attachments.map((a) => a.storageKey))].filter((key) =>
      isAccountUploadKey(accountId, key),
    );
    if (own.length === 0) return;
    try {
      const taken = await this.attachedKeys(accountId, own);
      await Promise.all(own.filter((key) => !taken.has(key)).map((key) => this.options.storage.remove(key)));
    } catch (err) {
      this.logger.warn({ err, keys: own }, 'could not remove the files of a refused reply');
    }
  }

  /** Runs a write that brings attachments; when it fails for any reason, their files go too. */
  async orDiscard<T>(accountId: string, attachments: AttachmentInput[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.discard(accountId, attachments);
      throw error;
    }
  }

  /**
   * One attachment's metadata and storage key. For a customer (viewer given): only on a public
   * message of the conversation they see, of a ticket they may see; otherwise ATTACHMENT_NOT_FOUND.
   */
  async get({
    accountId,
    attachmentId,
    viewer,
    visibility,
  }: RpcPayload<'inbox.attachments.get'>): Promise<AttachmentView> {
    const notFound = () => new AppError('ATTACHMENT_NOT_FOUND', `Attachment ${attachmentId} not found`);
    const attachment = await this.em.findOne(Attachment, { accountId, id: attachmentId });
    if (!attachment) throw notFound();
    const message = await this.em.findOneOrFail(Message, { accountId, id: attachment.messageId });
    if (viewer && visibility) {
      if (message.visibility !== 'public') throw notFound();
      try {
        await this.access.visibleTicket({ accountId, ticketId: message.ticketId, viewer, visibility });
      } catch (error) {
        if (error instanceof AppError && error.code === 'TICKET_NOT_FOUND') throw notFound();
        throw error;
      }
      const shown = await this.access.portalThread(accountId, message.ticketId);
      if (shown?.id !== message.threadId) throw notFound();
    }
    return {
      id: attachment.id,
      accountId,
      messageId: message.id,
      threadId: message.threadId,
      ticketId: message.ticketId,
      storageKey: attachment.storageKey,
      fileName: attachment.fileName,
      contentType: attachment.contentType,
      size: attachment.size,
      createdAt: attachment.createdAt.toISOString(),
    };
  }

  private async attachedKeys(accountId: string, keys: string[]): Promise<Set<string>> {
    const rows = await this.em.find(
      Attachment,
      { accountId, storageKey: { $in: keys } },
      { fields: ['storageKey'], disableIdentityMap: true },
    );
    return new Set(rows.map((row) => row.storageKey));
  }
}
