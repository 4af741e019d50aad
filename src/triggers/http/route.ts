import { ConfigError } from '../../core/errors.js';

/** A compiled route path: `/orders/:id/pay` matches `/orders/42/pay` with `{ id: '42' }`. */
export interface Route {
  readonly path: string;
  readonly params: string[];
  match(pathname: string): Record<string, string> | undefined;
}

/** Compiles a path with `:name` segments; names must be identifiers, segments are matched whole. */
export function compileRoute(path: string): Route {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new ConfigError(`createHttpTrigger: path must be a string starting with "/", got ${JSON.stringify(path)}`);
  const params: string[] = [];
  const segments = trimSlash(path).split('/');
  for (const s of segments) {
    if (!s.startsWith(':')) continue;
    const name = s.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConfigError(`createHttpTrigger: path ${path} has a parameter ":${name}"; name parameters with letters, digits and _`);
    if (params.includes(name)) throw new ConfigError(`createHttpTrigger: path ${path} names parameter :${name} twice`);
    params.push(name);
  }
  return {
    path,
    params,
    match(pathname) {
      const parts = trimSlash(pathname).split('/');
      if (parts.length !== segments.length) return undefined;
      const out: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const seg = segments[i]!;
        const part = parts[i]!;
        if (seg.startsWith(':')) {
          if (part === '') return undefined;
          try {
            out[seg.slice(1)] = decodeURIComponent(part);
          } catch {
            return undefined;
          }
        } else if (seg !== part) return undefined;
      }
      return out;
    },
  };
}

const trimSlash = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
