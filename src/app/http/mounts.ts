/**
 * Which URL paths serve what, per vhost, from the config: the live mount of each vhost's
 * `http_remux` (`[vhost]/[app]/[stream].flv`, `.ts`, `.aac`, `.mp3`) and its `http_static`
 * directory, with `http_server.dir` as the root of everything else.
 *
 * As in SRS, a mount's leading `[vhost]/` is not part of the URL: the vhost comes from the
 * Host header or `?vhost=`, and a request for a vhost without a matching mount falls back to
 * the default vhost, so `/live/livestream.flv` works with any Host.
 */
import { DEFAULT_VHOST, type HttpRemuxConfig, type ServerConfig } from '../../core/config/index.js';
import { log } from '../../core/logger.js';

export type LiveContainer = 'flv' | 'ts' | 'aac' | 'mp3';

const CONTAINER_OF_EXTENSION: Readonly<Record<string, LiveContainer>> = { '.flv': 'flv', '.ts': 'ts', '.aac': 'aac', '.mp3': 'mp3' };

export interface LiveMount {
  readonly vhost: string;
  readonly container: LiveContainer;
  readonly remux: HttpRemuxConfig;
  /** The mount as a URL path template, e.g. `/[app]/[stream].flv`. */
  readonly template: string;
  readonly pattern: RegExp;
  readonly appGroup: number;
  readonly streamGroup: number;
}

export interface LiveMatch {
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  readonly container: LiveContainer;
  readonly remux: HttpRemuxConfig;
}

export interface StaticMount {
  readonly vhost: string;
  /** URL path prefix without a trailing slash ('' for the root). */
  readonly prefix: string;
  readonly dir: string;
}

export interface StaticTarget {
  readonly dir: string;
  /** The decoded path below the mount, without a leading slash. */
  readonly relative: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A mount template as a URL path: `[vhost]/` dropped from the front, any other `[vhost]` filled in. */
function templatePath(mount: string, vhost: string): string {
  let path = mount.trim().replace(/^\/+/, '');
  if (path.startsWith('[vhost]')) path = path.slice('[vhost]'.length).replace(/^\/+/, '');
  return `/${path.split('[vhost]').join(vhost)}`;
}

/** Compiles a live mount; undefined (with the reason) when it cannot name a stream. */
export function compileLiveMount(vhost: string, remux: HttpRemuxConfig): LiveMount | string {
  const template = templatePath(remux.mount, vhost);
  const dot = template.lastIndexOf('.');
  const container = dot > template.lastIndexOf('/') ? CONTAINER_OF_EXTENSION[template.slice(dot).toLowerCase()] : undefined;
  if (!container) return `mount "${remux.mount}" does not end with .flv, .ts, .aac or .mp3`;
  const pieces = template.split(/(\[app\]|\[stream\])/);
  if (!pieces.includes('[app]') || !pieces.includes('[stream]')) return `mount "${remux.mount}" needs both [app] and [stream]`;
  let group = 0;
  let appGroup = 0;
  let streamGroup = 0;
  const source = pieces
    .map((piece) => {
      if (piece === '[app]') {
        appGroup = ++group;
        return '(.+)';
      }
      if (piece === '[stream]') {
        streamGroup = ++group;
        return '([^/]+)';
      }
      return escapeRegExp(piece);
    })
    .join('');
  return { vhost, container, remux, template, pattern: new RegExp(`^${source}$`), appGroup, streamGroup };
}

export class MountTable {
  /** Live mounts by vhost name. */
  private readonly live = new Map<string, LiveMount>();
  private readonly statics = new Map<string, StaticMount>();
  readonly root: string;

  constructor(config: ServerConfig) {
    this.root = config.http_server.dir;
    for (const vhost of config.vhosts) {
      if (!vhost.enabled) continue;
      if (vhost.http_remux.enabled) {
        const mount = compileLiveMount(vhost.name, vhost.http_remux);
        if (typeof mount === 'string') log.warn(`http_remux of vhost ${vhost.name}: ${mount}; not mounted`);
        else this.live.set(vhost.name, mount);
      }
      if (vhost.http_static.enabled) {
        const prefix = templatePath(vhost.http_static.mount, vhost.name).replace(/\/+$/, '');
        this.statics.set(vhost.name, { vhost: vhost.name, prefix, dir: vhost.http_static.dir });
      }
    }
  }

  /** The live mount a vhost's sources are served through, if any. */
  liveMountOf(vhost: string): LiveMount | undefined {
    return this.live.get(vhost);
  }

  get liveMounts(): IterableIterator<LiveMount> {
    return this.live.values();
  }

  /** `path` is the decoded request path (leading slash); `vhostHint` from ?vhost= or Host. */
  matchLive(vhostHint: string | undefined, path: string): LiveMatch | undefined {
    const tried = new Set<string>();
    for (const name of [vhostHint, DEFAULT_VHOST]) {
      if (name === undefined || tried.has(name)) continue;
      tried.add(name);
      const mount = this.live.get(name);
      const match = mount?.pattern.exec(path);
      if (!mount || !match) continue;
      const app = match[mount.appGroup]!;
      const stream = match[mount.streamGroup]!;
      return { vhost: mount.vhost, app, stream, container: mount.container, remux: mount.remux };
    }
    return undefined;
  }

  /** The directory and relative path a static request reads: the vhost's http_static mount, else http_server.dir. */
  matchStatic(vhostHint: string | undefined, relative: string): StaticTarget {
    const path = `/${relative}`;
    for (const name of [vhostHint, DEFAULT_VHOST]) {
      const mount = name === undefined ? undefined : this.statics.get(name);
      if (!mount) continue;
      if (mount.prefix === '') return { dir: mount.dir, relative };
      if (path === mount.prefix || path.startsWith(`${mount.prefix}/`)) {
        return { dir: mount.dir, relative: path.slice(mount.prefix.length + 1) };
      }
    }
    return { dir: this.root, relative };
  }
}
