/**
 * Parsers for the Linux /proc files SRS's system API reads. Pure text in, numbers out, so
 * they are tested without a /proc; a missing or odd line gives zeros, never an exception.
 */

/** SRS's names for the fields of /proc/PID/stat, in file order (see proc(5)). */
export const PROC_STAT_FIELDS = [
  'pid', 'comm', 'state', 'ppid', 'pgrp', 'session', 'tty_nr', 'tpgid', 'flags',
  'minflt', 'cminflt', 'majflt', 'cmajflt', 'utime', 'stime', 'cutime', 'cstime',
  'priority', 'nice', 'num_threads', 'itrealvalue', 'starttime', 'vsize', 'rss', 'rsslim',
  'startcode', 'endcode', 'startstack', 'kstkesp', 'kstkeip', 'signal', 'blocked',
  'sigignore', 'sigcatch', 'wchan', 'nswap', 'cnswap', 'exit_signal', 'processor',
  'rt_priority', 'policy', 'delayacct_blkio_ticks', 'guest_time', 'cguest_time',
] as const;

export type ProcSelfStat = Record<(typeof PROC_STAT_FIELDS)[number], number | string>;

/** A /proc number as C's signed 64-bit reading of it (rsslim 2^64-1 is -1, as SRS shows). */
function signed64(text: string): number {
  if (!/^-?[0-9]+$/.test(text)) return 0;
  return Number(BigInt.asIntN(64, BigInt(text)));
}

/** /proc/self/stat. The command name may hold spaces and parentheses: it ends at the last ')'. */
export function parseProcSelfStat(text: string): ProcSelfStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const values: (number | string)[] = [signed64(text.slice(0, open).trim()), text.slice(open, close + 1), rest[0] ?? ''];
  for (let i = 1; values.length < PROC_STAT_FIELDS.length; i++) values.push(signed64(rest[i] ?? '0'));
  const out = {} as ProcSelfStat;
  PROC_STAT_FIELDS.forEach((name, i) => (out[name] = values[i]!));
  return out;
}

/** The aggregate `cpu` line of /proc/stat, in clock ticks. */
export interface CpuTimes {
  user: number;
  nice: number;
  sys: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
}

export function parseCpuTimes(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const n = line.trim().split(/\s+/).slice(1).map((v) => Number(v) || 0);
  return { user: n[0] ?? 0, nice: n[1] ?? 0, sys: n[2] ?? 0, idle: n[3] ?? 0, iowait: n[4] ?? 0, irq: n[5] ?? 0, softirq: n[6] ?? 0, steal: n[7] ?? 0, guest: n[8] ?? 0 };
}

export function cpuTotal(t: CpuTimes): number {
  // guest time is already inside user time
  return t.user + t.nice + t.sys + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}

/** /proc/meminfo as kB values by name. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+([0-9]+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Two leading numbers of /proc/uptime or /proc/loadavg (and the third for loadavg). */
export function parseNumbers(text: string, count: number): number[] {
  const parts = text.trim().split(/\s+/);
  return Array.from({ length: count }, (_, i) => Number(parts[i]) || 0);
}

export interface NetDevCounters {
  recvBytes: number;
  sendBytes: number;
}

/** /proc/net/dev: bytes received and sent per interface name. */
export function parseNetDev(text: string): Map<string, NetDevCounters> {
  const out = new Map<string, NetDevCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (fields.length < 9 || fields.some((f) => Number.isNaN(f))) continue;
    out.set(name, { recvBytes: fields[0]!, sendBytes: fields[8]! });
  }
  return out;
}

export interface DiskCounters {
  readSectors: number;
  writeSectors: number;
  /** ms spent doing I/O */
  busyMs: number;
}

/** /proc/diskstats by device name. */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    out.set(f[2]!, { readSectors: Number(f[5]) || 0, writeSectors: Number(f[9]) || 0, busyMs: Number(f[12]) || 0 });
  }
  return out;
}

export interface SockStat {
  tcpAlloc: number;
  tcpInuse: number;
  tcpTw: number;
  udpInuse: number;
}

/** /proc/net/sockstat. */
export function parseSockstat(text: string): SockStat {
  const field = (proto: string, name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${proto}:`)) ?? '';
    const m = new RegExp(`\\b${name}\\s+([0-9]+)`).exec(line);
    return m ? Number(m[1]) : 0;
  };
  return { tcpAlloc: field('TCP', 'alloc'), tcpInuse: field('TCP', 'inuse'), tcpTw: field('TCP', 'tw'), udpInuse: field('UDP', 'inuse') };
}
