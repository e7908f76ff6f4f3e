/**
 * Older SRS spellings rewritten into the SRS 6 layout before the model loads, as SRS's own
 * config transform does, so a config written for SRS 2-5 keeps working without warnings:
 * vhost-level play/publish/cluster settings, `refer a b;`, `forward a b;`, `mr {}`,
 * `http {}` (now http_static), rtc `aac`/`bframe`, and top-level `http_stream`.
 */
import type { ConfDirective } from './directive.js';

const TO_PLAY = new Set([
  'time_jitter', 'mix_correct', 'atc', 'atc_auto', 'mw_latency', 'gop_cache', 'gop_cache_max_frames',
  'queue_length', 'send_min_interval', 'reduce_sequence_header',
]);
const TO_CLUSTER = new Set(['mode', 'origin', 'token_traverse', 'vhost', 'debug_srs_upnode', 'origin_cluster', 'coworkers']);
const TO_PUBLISH: Record<string, string> = { publish_1stpkt_timeout: 'firstpkt_timeout', publish_normal_timeout: 'normal_timeout' };
const RENAMED_BLOCKS: Record<string, string> = { http: 'http_static', http_flv: 'http_remux' };

interface Move {
  readonly block: string;
  readonly directive: ConfDirective;
}

const as = (d: ConfDirective, name: string, args: readonly string[] = d.args): ConfDirective => ({ ...d, name, args, children: [] });
const isArgsForm = (d: ConfDirective) => d.args.length > 0 && d.children.length === 0;

/** Where a legacy vhost-level directive goes, or undefined when it is already SRS 6 syntax. */
function legacyMoves(d: ConfDirective): Move[] | undefined {
  if (TO_PLAY.has(d.name)) return [{ block: 'play', directive: d }];
  if (TO_CLUSTER.has(d.name)) return [{ block: 'cluster', directive: d }];
  const publishName = TO_PUBLISH[d.name];
  if (publishName) return [{ block: 'publish', directive: as(d, publishName) }];
  if (d.name === 'mr') {
    return d.children.flatMap((c): Move[] => {
      if (c.name === 'enabled') return [{ block: 'publish', directive: as(c, 'mr') }];
      if (c.name === 'latency') return [{ block: 'publish', directive: as(c, 'mr_latency') }];
      return [{ block: 'publish', directive: as(c, `mr.${c.name}`) }];
    });
  }
  const enabled = (block: string): Move => ({ block, directive: as(d, 'enabled', ['on']) });
  if (d.name === 'refer' && isArgsForm(d)) return [enabled('refer'), { block: 'refer', directive: as(d, 'all') }];
  if (d.name === 'refer_publish') return [enabled('refer'), { block: 'refer', directive: as(d, 'publish') }];
  if (d.name === 'refer_play') return [enabled('refer'), { block: 'refer', directive: as(d, 'play') }];
  if (d.name === 'forward' && isArgsForm(d)) return [enabled('forward'), { block: 'forward', directive: as(d, 'destination') }];
  return undefined;
}

/** SRS 5 renamed rtc `aac transcode` to rtmp_to_rtc and `bframe keep` to keep_bframe. */
function modernRtc(rtc: ConfDirective): ConfDirective {
  const children = rtc.children.map((c) => {
    if (c.name === 'aac') return as(c, 'rtmp_to_rtc', [c.args[0] === 'transcode' ? 'on' : 'off']);
    if (c.name === 'bframe') return as(c, 'keep_bframe', [c.args[0] === 'keep' ? 'on' : 'off']);
    return c;
  });
  return { ...rtc, children };
}

function modernVhost(vhost: ConfDirective): ConfDirective {
  const kept: ConfDirective[] = [];
  const moved = new Map<string, ConfDirective[]>();
  for (const d of vhost.children) {
    const moves = legacyMoves(d);
    if (!moves) {
      const rename = RENAMED_BLOCKS[d.name];
      kept.push(rename ? { ...d, name: rename } : d.name === 'rtc' ? modernRtc(d) : d);
      continue;
    }
    for (const { block, directive } of moves) {
      const list = moved.get(block) ?? [];
      // The first spelling of a setting wins, as SRS reads the first directive of a name.
      if (!list.some((m) => m.name === directive.name)) list.push(directive);
      moved.set(block, list);
    }
  }
  for (const [block, directives] of moved) {
    const index = kept.findIndex((d) => d.name === block);
    const existing = kept[index];
    if (existing) {
      // A setting written in the SRS 6 block wins over its old vhost-level spelling.
      const added = directives.filter((m) => !existing.children.some((c) => c.name === m.name));
      kept[index] = { ...existing, children: [...existing.children, ...added] };
    } else {
      const first = directives[0]!;
      kept.push({ name: block, args: [], children: directives, file: first.file, line: first.line });
    }
  }
  return { ...vhost, children: kept };
}

export function modernizeLegacyDirectives(root: readonly ConfDirective[]): ConfDirective[] {
  return root.map((d) => {
    if (d.name === 'http_stream') return { ...d, name: 'http_server' };
    if (d.name === 'vhost') return modernVhost(d);
    return d;
  });
}
