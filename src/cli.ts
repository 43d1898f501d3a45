import { parseArgs } from 'node:util';
import { runCli } from './cli/admin-cli.js';

const code = await runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }, parseArgs);
process.exitCode = code;
