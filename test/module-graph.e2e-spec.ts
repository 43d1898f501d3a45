import { describe, expect, it } from '@jest/globals';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { ApiModule } from '../src/api.module.js';
import { WorkerModule } from '../src/worker.module.js';

/** Bull's @Processor marker: any process whose graph holds such a class consumes jobs. */
const BULL_PROCESSOR = 'bull:module_queue';

async function processorsIn(root: object): Promise<string[]> {
  const app = await NestFactory.createApplicationContext(root as never, { logger: false, preview: true, abortOnError: false });
  try {
    const names = new Set<string>();
    for (const mod of app.get(ModulesContainer).values()) {
      for (const wrapper of mod.providers.values()) {
        const type = wrapper.metatype as unknown;
        if (typeof type === 'function' && Reflect.getMetadata(BULL_PROCESSOR, type)) names.add(type.name);
      }
    }
    return [...names].sort();
  } finally {
    await app.close();
  }
}

describe('process roots', () => {
  it('the API graph holds no queue processor (it must never consume jobs)', async () => {
    expect(await processorsIn(ApiModule)).toEqual([]);
  });

  it('the worker graph holds the render, schedule, video and webhook processors', async () => {
    expect(await processorsIn(WorkerModule)).toEqual(['RenderProcessor', 'ScheduleProcessor', 'VideoProcessor', 'WebhookProcessor']);
  });
});
