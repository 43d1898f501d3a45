import { migrate } from '../../src/database/migrate.js';

let migrated: Promise<string[]> | undefined;

/** Once per test file; the advisory lock in migrate() serialises parallel Jest workers. */
export function ensureMigrated(): Promise<string[]> {
  migrated ??= migrate(process.env.DATABASE_URL as string);
  return migrated;
}
