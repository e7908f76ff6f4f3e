/** Who may publish and play on a vhost, and who is told: refer, security, http_hooks, exec. */
import { directiveError, type ConfDirective } from './directive.js';
import { block, commands } from './fields-block.js';
import { flag, list } from './fields-scalar.js';
import { isCidr, isIP } from './ip.js';
import { loadBlock, type Field } from './schema.js';

export const referField = block({
  enabled: flag(false),
  /** Page domains allowed for both publish and play (matched against the RTMP pageUrl). */
  all: list(),
  publish: list(),
  play: list(),
});

export interface SecurityRule {
  readonly action: 'allow' | 'deny';
  readonly method: 'publish' | 'play';
  /** `all`, an IP, or a CIDR. */
  readonly target: string;
}

export interface SecurityConfig {
  readonly enabled: boolean;
  /** In config order: the first matching rule decides, as in SRS. */
  readonly rules: readonly SecurityRule[];
}

function parseRules(d: ConfDirective, path: string): SecurityRule[] {
  const [method, ...targets] = d.args;
  if (method !== 'publish' && method !== 'play') {
    throw directiveError(d, `invalid value "${method ?? ''}" for ${path}.${d.name}: expected publish or play`);
  }
  if (targets.length === 0) throw directiveError(d, `${path}.${d.name} ${method} needs all, an IP or a CIDR`);
  return targets.map((target) => {
    if (target !== 'all' && !isIP(target) && !isCidr(target)) {
      throw directiveError(d, `invalid value "${target}" for ${path}.${d.name}: expected all, an IP or a CIDR`);
    }
    return { action: d.name as 'allow' | 'deny', method, target };
  });
}

const securityFlags = { enabled: flag(false) };
/** Documents `allow`/`deny` as known directives; their values are read in order by the loader below. */
const ruleMarker: Field<never> = { repeats: true, load: () => undefined as never };

export const securityField: Field<SecurityConfig> = {
  children: { ...securityFlags, allow: ruleMarker, deny: ruleMarker },
  load(found, ctx) {
    const children = found[0]?.children ?? [];
    const rulesAt = children.filter((d) => d.name === 'allow' || d.name === 'deny');
    const { enabled } = loadBlock({ ...securityFlags, allow: ruleMarker, deny: ruleMarker }, children, ctx);
    return { enabled, rules: rulesAt.flatMap((d) => parseRules(d, ctx.path)) };
  },
};

export const httpHooksField = block({
  enabled: flag(false),
  // Each hook may list several URLs; SRS calls them in order and the first refusal wins.
  on_connect: list(),
  on_close: list(),
  on_publish: list(),
  on_unpublish: list(),
  on_play: list(),
  on_stop: list(),
  on_dvr: list(),
  on_hls: list(),
  /** GET URLs with [ts_url], [app], [stream]... variables, called for each new segment. */
  on_hls_notify: list(),
});

export const execField = block({
  enabled: flag(false),
  /** One command line per `publish` line, run when a stream is published ([url], [app], [stream]...). */
  publish: commands(),
});
