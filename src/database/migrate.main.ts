import { loadConfig } from '../config/config.js';
import { migrate } from './migrate.js';

const config = loadConfig();
const ran = await migrate(config.databaseUrl, { queuePrefix: config.queuePrefix });
console.log(ran.length ? `Applied migrations: ${ran.join(', ')}` : 'Database schema is up to date');
