// A known path asked with a method it does not take: 405 problem+json with an `Allow` header
// listing the methods it does take (RFC 9110 §15.5.6), instead of the 404 of an unknown path.
// OPTIONS on a known path answers 204 with the same `Allow`; a CORS preflight is left to the
// CORS middleware when CORS is configured. The routes are read from the Express router once it
// holds them (after Nest registered the controllers), so the table cannot drift from the routes.
import type { NextFunction, Request, Response } from 'express';
import { ApiProblem, toProblem } from './problem';

export interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** A malformed path (bad percent-encoding) matches nothing here; the router answers it. */
function matches(layer: RouteLayer, path: string): boolean {
  try {
    return layer.match(path);
  } catch {
    return false;
  }
}

/** Methods Express answers for a route of these methods (HEAD comes with GET). */
function allowedMethods(methods: Set<string>): string[] {
  const out = new Set<string>();
  for (const m of methods) {
    out.add(m.toUpperCase());
    if (m === 'get') out.add('HEAD');
  }
  out.add('OPTIONS');
  return [...out].sort();
}

/** Express middleware; `routes` gives the router's layers (read lazily, at the first request). */
export function methodNotAllowed(routes: () => RouteLayer[], options: { cors: boolean }): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (options.cors && req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) return next();
    const methods = new Set<string>();
    for (const layer of routes()) {
      if (!layer.route || !matches(layer, req.path)) continue;
      for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') methods.add(m);
    }
    const method = req.method.toLowerCase();
    if (methods.size === 0 || methods.has(method) || (method === 'head' && methods.has('get'))) return next();
    const allow = allowedMethods(methods).join(', ');
    res.setHeader('Allow', allow);
    if (method === 'options') {
      res.status(204).end();
      return;
    }
    const problem = toProblem(new ApiProblem(405, 'method_not_allowed', `${req.method} is not allowed on this path; allowed: ${allow}.`, { allow: allowedMethods(methods) }), req.originalUrl);
    res.status(405).type('application/problem+json').send(JSON.stringify(problem));
  };
}
