import { Column, CreateDateColumn, PrimaryGeneratedColumn, type ColumnOptions } from 'typeorm';

/** Millisecond precision so keyset pagination on created_at round-trips exactly through JS Dates. */
export const TIMESTAMP = 'timestamptz';
export const TIMESTAMP_PRECISION = 3;

export function IdColumn(): PropertyDecorator {
  return PrimaryGeneratedColumn('uuid');
}

export function CreatedAtColumn(): PropertyDecorator {
  return CreateDateColumn({ name: 'created_at', type: TIMESTAMP, precision: TIMESTAMP_PRECISION });
}

export function TimestampColumn(name: string, options: ColumnOptions = {}): PropertyDecorator {
  return Column({ name, type: TIMESTAMP, precision: TIMESTAMP_PRECISION, nullable: true, ...options });
}
