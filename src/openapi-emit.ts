import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ApiModule } from './api.module.js';
import { buildOpenApiDocument, serializeDocument } from './openapi.js';

/** `npm run openapi:emit`: writes the sorted document to ./openapi.json without connecting to anything. */
const app = await NestFactory.create(ApiModule, { logger: false, preview: true, abortOnError: false });
const out = resolve(process.argv[2] ?? 'openapi.json');
writeFileSync(out, serializeDocument(buildOpenApiDocument(app)));
await app.close();
console.log(`Wrote ${out}`);
