import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';

/**
 * The yardstick of the read-path bench: node:http + pg doing the same work as the API's
 * GET /v1/images/{id} and GET /v1/images (look the key up by its hash, read the row(s), sign the
 * URLs, write the same JSON), with nothing else. Run as its own process, like the API.
 */

const env = process.env;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
const secret = env.SIGNING_SECRET as string;
const base = env.PUBLIC_BASE_URL as string;
const TTL = 3600;

const COLS = `id, org_id, template_id, template_version, status, modifications, result_key, thumbnail_key, error,
  image_metadata, duration_ms, created_at, started_at, completed_at`;

interface Row {
  id: string;
  org_id: string;
  template_id: string;
  template_version: number;
  status: string;
  modifications: unknown;
  result_key: string | null;
  thumbnail_key: string | null;
  error: unknown;
  image_metadata: unknown;
  duration_ms: number | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

function sign(key: string): string {
  const expires = Math.floor(Date.now() / 1000) + TTL;
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${base}/v1/files/${path}?expires=${expires}&signature=${createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex')}`;
}

function out(r: Row): unknown {
  const done = r.status === 'completed';
  return {
    id: r.id,
    object: 'image',
    org_id: r.org_id,
    template_id: r.template_id,
    template_version: r.template_version,
    status: r.status,
    modifications: r.modifications,
    result_url: done && r.result_key ? sign(r.result_key) : null,
    thumbnail_url: done && r.thumbnail_key ? sign(r.thumbnail_key) : null,
    error: r.error,
    image_metadata: r.image_metadata,
    duration_ms: r.duration_ms,
    created_at: r.created_at.toISOString(),
    started_at: r.started_at ? r.started_at.toISOString() : null,
    completed_at: r.completed_at ? r.completed_at.toISOString() : null,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  const found = await pool.query<{ org_id: string; mode: string }>(
    'SELECT org_id, mode FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL',
    [createHash('sha256').update(key).digest('hex')],
  );
  if (found.rows.length === 0) return send(res, 401, { detail: 'Invalid API key' });
  const { org_id: orgId, mode } = found.rows[0];
  const url = req.url ?? '/';
  if (url.startsWith('/v1/images/')) {
    const id = url.slice('/v1/images/'.length);
    const r = await pool.query<Row>(`SELECT ${COLS} FROM images WHERE id = $1 AND org_id = $2 AND is_test = $3`, [id, orgId, mode === 'test']);
    if (r.rows.length === 0) return send(res, 404, { detail: 'Image not found' });
    return send(res, 200, out(r.rows[0]));
  }
  if (url === '/v1/images' || url.startsWith('/v1/images?')) {
    const limit = 20;
    const r = await pool.query<Row>(
      `SELECT ${COLS} FROM images WHERE org_id = $1 AND is_test = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
      [orgId, mode === 'test', limit + 1],
    );
    const more = r.rows.length > limit;
    const rows = more ? r.rows.slice(0, limit) : r.rows;
    const last = rows[rows.length - 1];
    const cursor = more && last ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : null;
    return send(res, 200, { object: 'list', data: rows.map(out), has_more: more, next_cursor: cursor });
  }
  send(res, 404, { detail: 'Not Found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => send(res, 500, { detail: String(err) }));
});
server.listen(Number(env.PORT), '127.0.0.1', () => process.stdout.write('bare listening\n'));
process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
