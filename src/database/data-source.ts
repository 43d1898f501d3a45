import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { typeormOptions } from './typeorm-options.js';

/** For the TypeORM CLI (`typeorm migration:generate -d dist/database/data-source.js`). */
export default new DataSource(typeormOptions(loadConfig().databaseUrl));
