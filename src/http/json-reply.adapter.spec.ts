/**
 * JsonReplyExpressAdapter against Nest's own ExpressAdapter: one controller in two apps, the same
 * raw requests, and the answers compared byte for byte (the Date header aside).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Head, Header, HttpCode, type INestApplication, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';
import { connect } from 'node:net';
import { JsonReplyExpressAdapter } from './json-reply.adapter.js';

const big = { id: 'x', items: Array.from({ length: 60 }, (_, i) => ({ n: i, text: `caf\u00e9 \u{1F600} "${i}"` })) };
/** Past LARGE_ANSWER_CHARS: encoded once and written on a later turn of the event loop. */
const huge = { id: 'y', layers: Array.from({ length: 40 }, (_, i) => ({ n: i, text: `${'\u6f22\u5b57 caf\u00e9 \u{1F600} '.repeat(1000)}${i}` })) };

@Controller()
class ReplyController {
  @Get('big')
  big(): unknown {
    return big;
  }
  @Head('big')
  headBig(): unknown {
    return big;
  }
  @Get('huge')
  huge(): unknown {
    return huge;
  }
  @Head('huge')
  headHuge(): unknown {
    return huge;
  }
  @Get('small')
  small(): unknown {
    return { ok: true, s: '\u2028</script>' };
  }
  @Get('array')
  array(): unknown {
    return [1, 'two', null];
  }
  @Get('text')
  text(): string {
    return 'plain';
  }
  @Get('null')
  nothing(): null {
    return null;
  }
  @Post('created')
  created(): unknown {
    return big;
  }
  @Get('accepted')
  @HttpCode(202)
  accepted(): unknown {
    return { queued: true };
  }
  @Get('empty')
  @HttpCode(204)
  empty(): unknown {
    return { ignored: true };
  }
  @Get('typed')
  @Header('Content-Type', 'application/problem+json')
  typed(): unknown {
    return { detail: 'x' };
  }
  @Get('passthrough')
  passthrough(@Res({ passthrough: true }) res: Response): unknown {
    res.status(203).set({ 'X-Extra': '1' });
    return { via: 'passthrough' };
  }
  @Get('tojson')
  toJson(): unknown {
    return { toJSON: () => undefined };
  }
}

@Module({ controllers: [ReplyController] })
class ReplyModule {}

const apps: INestApplication[] = [];
let [plainPort, fastPort] = [0, 0];

async function start(adapter: ExpressAdapter): Promise<number> {
  const app = await NestFactory.create(ReplyModule, adapter, { logger: false });
  app.getHttpAdapter().getInstance().set('etag', false);
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  return (app.getHttpServer().address() as { port: number }).port;
}

/** The raw answer to one request on its own connection, without the Date header. */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => s.end(`${head}\r\nHost: t\r\nConnection: close\r\n\r\n`));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1').replace(/\r\nDate: [^\r]*/, '')));
  });
}

beforeAll(async () => {
  plainPort = await start(new ExpressAdapter());
  fastPort = await start(new JsonReplyExpressAdapter());
});

afterAll(async () => {
  for (const app of apps) await app.close();
});

describe('JsonReplyExpressAdapter', () => {
  it.each([
    'GET /big HTTP/1.1',
    'HEAD /big HTTP/1.1',
    'GET /huge HTTP/1.1',
    'HEAD /huge HTTP/1.1',
    'GET /small HTTP/1.1',
    'GET /array HTTP/1.1',
    'GET /text HTTP/1.1',
    'GET /null HTTP/1.1',
    'POST /created HTTP/1.1\r\nContent-Length: 0',
    'GET /accepted HTTP/1.1',
    'GET /empty HTTP/1.1',
    'GET /typed HTTP/1.1',
    'GET /passthrough HTTP/1.1',
    'GET /tojson HTTP/1.1',
    'GET /big HTTP/1.1\r\nIf-None-Match: *',
    'GET /big HTTP/1.1\r\nIf-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT',
    'GET /big HTTP/1.0',
  ])('%s: the same bytes as Express', async (head) => {
    const [plain, fast] = [await raw(plainPort, head), await raw(fastPort, head)];
    expect(plain).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(fast).toBe(plain);
  });

  it.each([
    ['/big', big],
    ['/huge', huge],
  ])('answers %s in full, as JSON in UTF-8 with its length', async (path, body) => {
    const answer = await raw(fastPort, `GET ${path} HTTP/1.1`);
    const bytes = Buffer.from(JSON.stringify(body));
    expect(bytes.length).toBeGreaterThan(path === '/huge' ? 256 * 1024 : 1000);
    expect(answer).toContain(`Content-Type: application/json; charset=utf-8\r\nContent-Length: ${bytes.length}\r\n`);
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(bytes.toString('latin1'));
  });
});
