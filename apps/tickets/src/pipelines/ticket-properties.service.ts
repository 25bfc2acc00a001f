import type { RpcPayload, TicketPropertyView } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  builtinTicketPropertyNames,
  ticketProperties,
  type TicketProperty as PropertyDefinitionWithSource,
} from '../tickets/ticket-properties.js';
import { DefinitionsCache, type AccountDefinitions } from './definitions-cache.js';
import { PipelinesService } from './pipelines.service.js';
import { TicketProperty } from './ticket-property.entity.js';

/** The account's ticket properties: the built-ins (with its pipelines and stages as options) and its own. */
@Injectable()
export class TicketPropertiesService {
  constructor(
    private readonly em: EntityManager,
    private readonly pipelines: PipelinesService,
    private readonly cache: DefinitionsCache,
  ) {}

  /** Every property with where its value lives, and the account's stages by id (for display); shared, read only. */
  definitionsOf(accountId: string): Promise<AccountDefinitions> {
    return this.cache.get(accountId, () => this.read(accountId));
  }

  private async read(accountId: string): Promise<AccountDefinitions> {
    const pipelines = await this.pipelines.list(accountId);
    const stages = pipelines.flatMap((pipeline) => pipeline.stages);
    const custom = await this.em.find(TicketProperty, { accountId }, { orderBy: { label: 'asc' } });
    const definitions = ticketProperties(
      custom.map(({ name, label, type, options }) => ({
        name,
        label,
        type,
        ...(options ? { options } : {}),
      })),
      {
        pipelines: pipelines.map((p) => ({ value: p.id, label: p.label })),
        stages: stages.map((s) => ({ value: s.id, label: s.label })),
      },
    );
    return { definitions, stageLabels: new Map(stages.map((stage) => [stage.id, stage.label])) };
  }

  async list({ accountId }: RpcPayload<'tickets.properties.list'>): Promise<TicketPropertyView[]> {
    const { definitions } = await this.definitionsOf(accountId);
    return definitions.map(toView);
  }

  async create({
    accountId,
    name,
    label,
    type,
    options,
  }: RpcPayload<'tickets.properties.create'>): Promise<TicketPropertyView> {
    if ((builtinTicketPropertyNames as readonly string[]).includes(name)) {
      throw new AppError('CONFLICT', `"${name}" is a built-in ticket property`, {
        name: ['is a built-in property'],
      });
    }
    if (type === 'enumeration' && !options?.length) {
      throw new AppError('VALIDATION_FAILED', 'An enumeration needs options', {
        options: ['add at least one option'],
      });
    }
    const property = this.em.create(TicketProperty, {
      accountId,
      name,
      label,
      type,
      options: type === 'enumeration' ? options : null,
    });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new AppError('CONFLICT', `A ticket property named "${name}" exists`, {
          name: ['is already used'],
        });
      }
      throw error;
    }
    await this.announce(accountId, name);
    return toView(customDefinition(property));
  }

  /**
   * A custom property's label and an enumeration's options (added, relabelled, reordered, or dropped
   * when no ticket uses them). Its name and type never change.
   */
  async update({
    accountId,
    name,
    label,
    options,
  }: RpcPayload<'tickets.properties.update'>): Promise<TicketPropertyView> {
    const property = await this.custom(accountId, name, 'changed');
    if (options !== undefined) {
      if (property.type !== 'enumeration')
        throw new AppError('VALIDATION_FAILED', `"${name}" is not an enumeration`, {
          options: ['only an enumeration has options'],
        });
      const kept = new Set(options.map((option) => option.value));
      const dropped = (property.options ?? []).map((option) => option.value).filter((v) => !kept.has(v));
      const used = dropped.length ? await this.ticketsPerOption(accountId, name, dropped) : [];
      if (used.length > 0) {
        const count = used.reduce((sum, { count }) => sum + count, 0);
        const values = used.map(({ value }) => value).join(', ');
        throw new AppError(
          'TICKET_PROPERTY_IN_USE',
          `${used.length === 1 ? 'Option' : 'Options'} ${values} of "${property.label}" ${used.length === 1 ? 'is' : 'are'} set on ${tickets(count)}: give them another value first`,
          { options: used.map(({ value, count }) => `${value} is set on ${tickets(count)}`) },
        );
      }
      property.options = options;
    }
    if (label !== undefined) property.label = label;
    await this.em.flush();
    await this.announce(accountId, name);
    return toView(customDefinition(property));
  }

  /** Removes a custom property no ticket has a value for (cleared values, stored as null, go with it). */
  async delete({ accountId, name }: RpcPayload<'tickets.properties.delete'>): Promise<TicketPropertyView[]> {
    await this.em.transactional(async (em) => {
      const property = await this.custom(accountId, name, 'deleted', em);
      const count = await this.ticketsWithValue(accountId, name, em);
      if (count > 0)
        throw new AppError(
          'TICKET_PROPERTY_IN_USE',
          `"${property.label}" has a value on ${tickets(count)}: clear it there first`,
          { name: [`has values on ${tickets(count)}`] },
        );
      await em
        .getConnection()
        .execute(
          `update tickets.ticket set properties = properties - ? where account_id = ? and properties \\? ?`,
          [name, accountId, name],
          'run',
          em.getTransactionContext(),
        );
      em.remove(property);
    });
    await this.announce(accountId, name);
    return this.list({ accountId });
  }

  private announce(accountId: string, name: string): Promise<void> {
    return this.cache.announce('ticket.property.changed', {
      accountId,
      name,
      occurredAt: new Date().toISOString(),
    });
  }

  private async custom(
    accountId: string,
    name: string,
    doing: 'changed' | 'deleted',
    em: EntityManager = this.em,
  ): Promise<TicketProperty> {
    if (builtIns.includes(name))
      throw new AppError(
        'TICKET_PROPERTY_BUILT_IN',
        `"${name}" is a built-in ticket property and cannot be ${doing}`,
      );
    const property = await em.findOne(TicketProperty, { accountId, name });
    if (!property)
      throw new AppError('TICKET_PROPERTY_NOT_FOUND', `Ticket property "${name}" not found`, {
        name: ['is not a ticket property of this account'],
      });
    return property;
  }

  /** How many of the account's tickets have a value for the property (a cleared one, null, is none). */
  private async ticketsWithValue(accountId: string, name: string, em: EntityManager): Promise<number> {
    const [row] = await em.getConnection().execute<{ count: number }[]>(
      `select count(*)::int as count from tickets.ticket
        where account_id = ? and properties \\? ? and properties -> ? <> 'null'::jsonb`,
      [accountId, name, name],
      'all',
      em.getTransactionContext(),
    );
    return row?.count ?? 0;
  }

  /** Which of the values tickets of the account have for the property, with how many each, in the order given. */
  private async ticketsPerOption(
    accountId: string,
    name: string,
    values: string[],
  ): Promise<{ value: string; count: number }[]> {
    const rows = await this.em.getConnection().execute<{ value: string; count: number }[]>(
      `select properties ->> ? as value, count(*)::int as count from tickets.ticket
        where account_id = ? and properties ->> ? in (select jsonb_array_elements_text(?::jsonb))
        group by 1`,
      [name, accountId, name, JSON.stringify(values)],
    );
    return values.flatMap((value) => rows.filter((row) => row.value === value));
  }
}

const builtIns: readonly string[] = builtinTicketPropertyNames;

const tickets = (count: number) => (count === 1 ? '1 ticket' : `${count} tickets`);

function customDefinition({ name, label, type, options }: TicketProperty): PropertyDefinitionWithSource {
  return { name, label, type, ...(options ? { options } : {}), source: { kind: 'custom' }, sortable: true };
}

function toView(property: PropertyDefinitionWithSource): TicketPropertyView {
  return {
    name: property.name,
    label: property.label,
    type: property.type,
    options: property.options ? [...property.options] : null,
    builtIn: builtIns.includes(property.name),
    sortable: property.sortable,
  };
}
