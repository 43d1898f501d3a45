import type { DataSourceOptions, EntitySchema } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityRef = Function | EntitySchema;

/**
 * The single source of TypeORM options, for Nest, the CLI, the migrator and the tests. The entity
 * list comes from the composition root (src/entities.ts), so this folder imports no feature.
 */
export function typeormOptions(databaseUrl: string, entities: readonly EntityRef[] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [...entities],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    logging: ['error'],
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}
