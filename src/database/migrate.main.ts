import { loadConfig } from '../config/config.js';
import { migrate } from './migrate.js';

const ran = await migrate(loadConfig().databaseUrl);
console.log(ran.length ? `Applied migrations: ${ran.join(', ')}` : 'Database schema is up to date');
