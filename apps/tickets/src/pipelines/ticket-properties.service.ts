import type { RpcPayload, TicketPropertyView } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  builtinTicketPropertyNames,
  ticketProperties,
  type TicketProperty as PropertyDefinitionWithSource,
} from '../tickets/ticket-properties.js';
import { PipelinesService } from './pipelines.service.js';
import { TicketProperty } from './ticket-property.entity.js';

/** The account's ticket properties: the built-ins (with its pipelines and stages as options) and its own. */
@Injectable()
export class TicketPropertiesService {
  constructor(
    private readonly em: EntityManager,
    private readonly pipelines: PipelinesService,
  ) {}

  /** Every property with where its value lives, and the account's stages by id (for display). */
  async definitionsOf(
    accountId: string,
  ): Promise<{ definitions: PropertyDefinitionWithSource[]; stageLabels: Map<string, string> }> {
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
    return toView({
      name,
      label,
      type,
      ...(property.options ? { options: property.options } : {}),
      source: { kind: 'custom' },
      sortable: true,
    });
  }
}

const builtIns: readonly string[] = builtinTicketPropertyNames;

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
