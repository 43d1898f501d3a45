/**
 * Telling a route miss (404) from a method miss (405 + Allow), as Starlette's router does: the
 * first route whose path matches answers 405 with its own methods.
 */

export interface RouteInfo {
  /** Upper case (`GET`), or `ALL` for a route that takes any method. */
  method: string;
  /** An Express 5 (path-to-regexp 8) path such as `/v1/images/:image_id`. */
  path: string;
}

export type RouteMiss = { status: 404 } | { status: 405; allow: string };

const escapeRegExp = (s: string): string => s.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');

/**
 * path-to-regexp 8 syntax, as Express 5 matches it by default: `:name` is one segment, `*name`
 * any rest, `{...}` optional, `\x` a literal; case-insensitive, trailing slash allowed.
 */
function compile(path: string): RegExp {
  let re = '';
  for (let i = 0; i < path.length; ) {
    const c = path[i];
    if (c === '\\') {
      re += escapeRegExp(path[i + 1] ?? '');
      i += 2;
    } else if (c === ':' || c === '*') {
      let j = i + 1;
      if (path[j] === '"') {
        j = path.indexOf('"', j + 1) + 1 || path.length;
      } else {
        while (j < path.length && /[\p{ID_Continue}$]/u.test(path[j])) j++;
      }
      re += c === ':' ? '[^/]+' : '.+';
      i = j;
    } else if (c === '{') {
      re += '(?:';
      i++;
    } else if (c === '}') {
      re += ')?';
      i++;
    } else {
      re += escapeRegExp(c);
      i++;
    }
  }
  // A trailing slash of the route is optional, as in Starlette's matching.
  while (re.endsWith('\\/')) re = re.slice(0, -2);
  return new RegExp(`^${re}\\/?$`, 'i');
}

const compiled = new Map<string, RegExp>();
function matches(routePath: string, path: string): boolean {
  let re = compiled.get(routePath);
  if (!re) compiled.set(routePath, (re = compile(routePath)));
  return re.test(path);
}

/** The route that serves `method` at `path`, else the first route at `path` (a 405), else undefined. */
export function matchRoute(routes: readonly RouteInfo[], method: string, path: string): RouteInfo | undefined {
  const m = method.toUpperCase();
  let first: RouteInfo | undefined;
  for (const r of routes) {
    if (!matches(r.path, path)) continue;
    if (r.method === 'ALL' || r.method === m) return r;
    first ??= r;
  }
  return first;
}

/** 405 with the methods of the first route at `path`, else 404. */
export function matchRouteMiss(routes: readonly RouteInfo[], method: string, path: string): RouteMiss {
  const first = routes.find((r) => matches(r.path, path));
  if (!first || first.method === 'ALL' || first.method === method.toUpperCase()) return { status: 404 };
  return { status: 405, allow: first.method };
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  name?: string;
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/**
 * The routes of an Express 5 app, in registration order: pass `app.getHttpAdapter()` (or the
 * Express instance) once routes are registered, i.e. after `app.init()` / `app.listen()`.
 */
export function collectRoutes(source: { getInstance?: () => unknown } | { router?: unknown } | object): RouteInfo[] {
  const app = 'getInstance' in source && typeof source.getInstance === 'function' ? source.getInstance() : source;
  const router = (app as { router?: { stack?: Layer[] } }).router;
  const out: RouteInfo[] = [];
  const walk = (stack: readonly Layer[] | undefined, prefix: string): void => {
    for (const layer of stack ?? []) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue;
        for (const method of Object.keys(layer.route.methods)) {
          out.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: prefix + layer.route.path });
        }
      } else if (layer.name === 'router' && typeof layer.rawPath === 'string') {
        walk(layer.handle?.stack, prefix + layer.rawPath.replace(/\/$/, ''));
      }
    }
  };
  walk(router?.stack, '');
  return out;
}
