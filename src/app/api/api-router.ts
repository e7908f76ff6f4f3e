/**
 * Path matching as SRS's HTTP mux does it: exact paths, and subtree patterns ending in `/`
 * that also catch the same path without the slash with a 302 to the slashed one.
 * Mounted prefixes (/rtc/v1/ from the WebRTC service) are tried first, longest first.
 */
import type { RouteHandler } from './api-request.js';

export interface RouteOptions {
  /** Apply http_api.auth (SRS protects only /api/ paths; WebRTC signalling stays open). */
  auth?: boolean;
}

export type RouteMatch =
  | { kind: 'handler'; handler: RouteHandler; auth: boolean }
  | { kind: 'redirect'; location: string }
  | { kind: 'none' };

interface Mounted {
  prefix: string;
  handler: RouteHandler;
  auth: boolean;
}

export class ApiRouter {
  private readonly exact = new Map<string, RouteHandler>();
  private readonly subtrees = new Map<string, RouteHandler>();
  private mounted: Mounted[] = [];

  /** `path` exact, or a subtree when it ends with `/` (and is not the root). */
  add(path: string, handler: RouteHandler): void {
    if (path.endsWith('/') && path !== '/') this.subtrees.set(path, handler);
    this.exact.set(path, handler);
  }

  /** Everything under `prefix` goes to `handler` (e.g. `/rtc/v1/`). */
  mount(prefix: string, handler: RouteHandler, options: RouteOptions = {}): void {
    this.mounted = [...this.mounted.filter((m) => m.prefix !== prefix), { prefix, handler, auth: options.auth ?? false }]
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  match(path: string): RouteMatch {
    const needsAuth = path.startsWith('/api/');
    for (const m of this.mounted) {
      if (path.startsWith(m.prefix) || `${path}/` === m.prefix) return { kind: 'handler', handler: m.handler, auth: m.auth };
    }
    const exact = this.exact.get(path);
    if (exact) return { kind: 'handler', handler: exact, auth: needsAuth };
    if (this.subtrees.has(`${path}/`)) return { kind: 'redirect', location: `${path}/` };
    // Tolerate a trailing slash on exact endpoints (/api/v1/versions/).
    if (path.endsWith('/') && path.length > 1) {
      const trimmed = this.exact.get(path.replace(/\/+$/, ''));
      if (trimmed && !this.subtrees.has(path)) return { kind: 'handler', handler: trimmed, auth: needsAuth };
    }
    let best = '';
    for (const prefix of this.subtrees.keys()) if (path.startsWith(prefix) && prefix.length > best.length) best = prefix;
    // Only resource subtrees take ids; /api/ and /api/v1/ themselves are exact.
    if (best && best !== '/api/' && best !== '/api/v1/') return { kind: 'handler', handler: this.subtrees.get(best)!, auth: needsAuth };
    return { kind: 'none' };
  }
}
