import { DataSource } from 'typeorm';
import { loadConfig } from './config/config.js';
import { typeormOptions } from './database/typeorm-options.js';
import { ENTITIES } from './entities.js';

/** For the TypeORM CLI (`typeorm migration:generate -d dist/data-source.js`). */
export default new DataSource(typeormOptions(loadConfig().databaseUrl, ENTITIES));
