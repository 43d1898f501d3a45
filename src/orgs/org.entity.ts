import { Column, Entity } from 'typeorm';
import { CreatedAtColumn, IdColumn } from '../database/columns.js';

@Entity({ name: 'organizations' })
export class OrgEntity {
  @IdColumn()
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** HMAC key for per-render webhook signatures; org endpoints have their own secrets. */
  @Column({ name: 'signing_secret', type: 'text' })
  signingSecret: string;

  @CreatedAtColumn()
  createdAt: Date;
}
