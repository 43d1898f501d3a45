import { describe, expect, it } from '@jest/globals';
import express from 'express';
import { collectRoutes, matchRouteMiss } from './route-miss.js';

const routes = [
  { method: 'GET', path: '/v1/images/:image_id' },
  { method: 'DELETE', path: '/v1/images/:image_id' },
  { method: 'POST', path: '/v1/images' },
  { method: 'GET', path: '/v1/images' },
  { method: 'GET', path: '/v1/files/*path' },
  { method: 'GET', path: '/v1/templates{/:id}/versions' },
  { method: 'ALL', path: '/v1/anything' },
  { method: 'GET', path: '/v1/lit\\:eral' },
];

describe('matchRouteMiss', () => {
  it('answers 405 with the methods of the first route whose path matches', () => {
    expect(matchRouteMiss(routes, 'PATCH', '/v1/images/abc')).toEqual({ status: 405, allow: 'GET' });
    expect(matchRouteMiss(routes, 'put', '/v1/images')).toEqual({ status: 405, allow: 'POST' });
    expect(matchRouteMiss(routes, 'POST', '/v1/files/a/b/c.png')).toEqual({ status: 405, allow: 'GET' });
    expect(matchRouteMiss(routes, 'POST', '/v1/templates/versions')).toEqual({ status: 405, allow: 'GET' });
    expect(matchRouteMiss(routes, 'POST', '/v1/templates/5/versions')).toEqual({ status: 405, allow: 'GET' });
    expect(matchRouteMiss(routes, 'POST', '/v1/lit:eral')).toEqual({ status: 405, allow: 'GET' });
  });

  it('matches as Express does: case-insensitively, with an optional trailing slash', () => {
    expect(matchRouteMiss(routes, 'PUT', '/V1/IMAGES/abc/')).toEqual({ status: 405, allow: 'GET' });
  });

  it('answers 404 when no path matches', () => {
    expect(matchRouteMiss(routes, 'GET', '/v1/nope')).toEqual({ status: 404 });
    expect(matchRouteMiss(routes, 'GET', '/v1/images/a/b')).toEqual({ status: 404 });
    expect(matchRouteMiss(routes, 'GET', '/v1/files/')).toEqual({ status: 404 });
    expect(matchRouteMiss([], 'GET', '/')).toEqual({ status: 404 });
  });

  it('answers 404 where the first matching route takes the method or any method', () => {
    expect(matchRouteMiss(routes, 'GET', '/v1/images/x')).toEqual({ status: 404 });
    expect(matchRouteMiss(routes, 'POST', '/v1/anything')).toEqual({ status: 404 });
  });
});

describe('collectRoutes', () => {
  it('reads an Express 5 app, nested routers included, in registration order', () => {
    const app = express();
    app.use((_req, _res, next) => next());
    app.get('/v1/images/:image_id', (_req, res) => res.end());
    app.delete('/v1/images/:image_id', (_req, res) => res.end());
    app.route('/v1/multi').get((_req, res) => res.end()).post((_req, res) => res.end());
    const nested = express.Router();
    nested.all('*path', (_req, res) => res.end());
    app.use('/api/', nested);
    expect(collectRoutes(app)).toEqual([
      { method: 'GET', path: '/v1/images/:image_id' },
      { method: 'DELETE', path: '/v1/images/:image_id' },
      { method: 'GET', path: '/v1/multi' },
      { method: 'POST', path: '/v1/multi' },
      { method: 'ALL', path: '/api*path' },
    ]);
    expect(collectRoutes({ getInstance: () => app })).toHaveLength(5);
  });
});
