/**
 * SRS's `security` section: who may publish and who may play, by IP, CIDR or `all`.
 *
 * Evaluated exactly as SRS 6 (SrsSecurity::do_check) does, which is not "first match":
 *   1. security off: allowed.
 *   2. no allow/deny rule at all: denied (SRS's default once security is on).
 *   3. any `deny <method> <target>` matching the client: denied (deny wins over allow).
 *   4. any `allow <method> <target>` matching the client: allowed.
 *   5. otherwise denied if any allow rule exists (for either method), else allowed: a list
 *      of only deny rules denies just what it names, a list with allow rules is a whitelist.
 */
import type { SecurityConfig } from '../../core/config/index.js';
import { TsrsError } from '../../core/errors.js';
import { ipMatches } from './ip-match.js';

export type SecurityMethod = 'publish' | 'play';

/** Undefined when allowed, else the coded reason (SRS's 1052/1053/1054). */
export function checkSecurity(security: SecurityConfig, method: SecurityMethod, ip: string): TsrsError | undefined {
  if (!security.enabled) return undefined;
  const rules = security.rules;
  if (rules.length === 0) return new TsrsError('SystemSecurity', `security: no rules, ${method} from ${ip} denied by default`);
  const deny = rules.find((r) => r.action === 'deny' && r.method === method && ipMatches(r.target, ip));
  if (deny) return new TsrsError('SystemSecurityDeny', `security: ${method} from ${ip} denied by rule "deny ${method} ${deny.target}"`);
  if (rules.some((r) => r.action === 'allow' && r.method === method && ipMatches(r.target, ip))) return undefined;
  const allows = rules.filter((r) => r.action === 'allow').length;
  if (allows > 0) return new TsrsError('SystemSecurityAllow', `security: ${method} from ${ip} not allowed by any of ${allows} allow rules`);
  return undefined;
}
