import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type StageState = 'open' | 'closed';

/** A step of a pipeline; its state decides whether a ticket in it counts as open or closed. */
@Entity({ tableName: 'stage' })
@Index({ properties: ['pipelineId', 'displayOrder'] })
export class Stage {
  [OptionalProps]?: 'displayOrder';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  pipelineId: string;

  @Property({ type: 'string', length: 100 })
  label: string;

  @Property({ type: 'integer' })
  displayOrder: number = 0;

  @Property({ type: 'string', length: 10 })
  state: StageState;
}
