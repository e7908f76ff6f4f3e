/**
 * The process and machine figures of SRS's system API (rusages, self_proc_stats,
 * system_proc_stats, meminfos, summaries), sampled from /proc by the stats ticker so that
 * rates (CPU, disk) are deltas between two samples, as SRS computes them. Off Linux the
 * /proc figures are zero and `ok` is false.
 */
import { readFileSync } from 'node:fs';
import { cpus, networkInterfaces } from 'node:os';
import {
  cpuTotal,
  parseCpuTimes,
  parseDiskstats,
  parseMeminfo,
  parseNetDev,
  parseNumbers,
  parseProcSelfStat,
  parseSockstat,
  type CpuTimes,
  type DiskCounters,
  type ProcSelfStat,
} from './proc-readers.js';

/** Linux's USER_HZ on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_KB = 4;

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

interface SelfSample {
  at: number;
  stat: ProcSelfStat;
  percent: number;
}

interface CpuSample {
  at: number;
  times: CpuTimes;
  percent: number;
}

interface DiskSample {
  at: number;
  counters: DiskCounters;
  readKBps: number;
  writeKBps: number;
  busyPercent: number;
}

export interface SystemStatsOptions {
  /** Disk device names to report (SRS `stats.disk`); empty: all whole disks summed. */
  disks: readonly string[];
}

/** What the live part of the server adds to summaries. */
export interface ServerTotals {
  recvBytes: number;
  sendBytes: number;
  clients: number;
}

export class SystemStats {
  private self: SelfSample | undefined;
  private cpu: CpuSample | undefined;
  private disk: DiskSample | undefined;
  private sampledAt = Date.now();

  constructor(private options: SystemStatsOptions = { disks: [] }) {
    this.sample();
  }

  setOptions(options: SystemStatsOptions): void {
    this.options = options;
  }

  /** Reads the counters and updates the rates against the previous sample. */
  sample(now = Date.now()): void {
    this.sampledAt = now;
    const stat = parseProcSelfStat(readProc('/proc/self/stat'));
    if (stat) {
      const ticks = Number(stat.utime) + Number(stat.stime);
      const prev = this.self;
      const wallMs = prev ? now - prev.at : 0;
      const percent = prev && wallMs > 0
        ? (ticks - Number(prev.stat.utime) - Number(prev.stat.stime)) / CLOCK_TICKS_PER_SECOND / (wallMs / 1000)
        : (prev?.percent ?? 0);
      this.self = { at: now, stat, percent: Math.max(0, percent) };
    }
    const times = parseCpuTimes(readProc('/proc/stat'));
    if (times) {
      const prev = this.cpu;
      const total = prev ? cpuTotal(times) - cpuTotal(prev.times) : 0;
      const idle = prev ? times.idle + times.iowait - prev.times.idle - prev.times.iowait : 0;
      this.cpu = { at: now, times, percent: total > 0 ? Math.max(0, (total - idle) / total) : (prev?.percent ?? 0) };
    }
    this.sampleDisk(now);
  }

  private sampleDisk(now: number): void {
    const all = parseDiskstats(readProc('/proc/diskstats'));
    const wanted = this.options.disks.length > 0
      ? this.options.disks
      : [...all.keys()].filter((name) => /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme[0-9]+n[0-9]+|hd[a-z]+)$/.test(name));
    const counters: DiskCounters = { readSectors: 0, writeSectors: 0, busyMs: 0 };
    for (const name of wanted) {
      const c = all.get(name);
      if (!c) continue;
      counters.readSectors += c.readSectors;
      counters.writeSectors += c.writeSectors;
      counters.busyMs = Math.max(counters.busyMs, c.busyMs);
    }
    const prev = this.disk;
    const seconds = prev ? (now - prev.at) / 1000 : 0;
    if (prev && seconds > 0) {
      this.disk = {
        at: now,
        counters,
        // sectors are 512 bytes: two per KB
        readKBps: Math.max(0, Math.round((counters.readSectors - prev.counters.readSectors) / 2 / seconds)),
        writeKBps: Math.max(0, Math.round((counters.writeSectors - prev.counters.writeSectors) / 2 / seconds)),
        busyPercent: Math.max(0, Math.min(1, (counters.busyMs - prev.counters.busyMs) / (seconds * 1000))),
      };
    } else {
      this.disk = { at: now, counters, readKBps: prev?.readKBps ?? 0, writeKBps: prev?.writeKBps ?? 0, busyPercent: prev?.busyPercent ?? 0 };
    }
  }

  /** CPU used by this process, as a fraction of one core (SRS's `percent`). */
  get selfCpuPercent(): number {
    return this.self?.percent ?? 0;
  }

  rusages(): Record<string, unknown> {
    const r = process.resourceUsage();
    return {
      ok: true,
      sample_time: this.sampledAt,
      ru_utime: Math.floor(r.userCPUTime / 1e6),
      ru_stime: Math.floor(r.systemCPUTime / 1e6),
      ru_maxrss: r.maxRSS,
      ru_ixrss: r.sharedMemorySize,
      ru_idrss: r.unsharedDataSize,
      ru_isrss: r.unsharedStackSize,
      ru_minflt: r.minorPageFault,
      ru_majflt: r.majorPageFault,
      ru_nswap: r.swappedOut,
      ru_inblock: r.fsRead,
      ru_oublock: r.fsWrite,
      ru_msgsnd: r.ipcSent,
      ru_msgrcv: r.ipcReceived,
      ru_nsignals: r.signalsCount,
      ru_nvcsw: r.voluntaryContextSwitches,
      ru_nivcsw: r.involuntaryContextSwitches,
    };
  }

  selfProcStats(): Record<string, unknown> {
    const stat = this.self?.stat;
    return { ok: stat !== undefined, sample_time: this.self?.at ?? this.sampledAt, percent: round2(this.selfCpuPercent), ...(stat ?? {}) };
  }

  systemProcStats(): Record<string, unknown> {
    const t = this.cpu?.times;
    return {
      ok: t !== undefined,
      sample_time: this.cpu?.at ?? this.sampledAt,
      percent: round2(this.cpu?.percent ?? 0),
      user: t?.user ?? 0,
      nice: t?.nice ?? 0,
      sys: t?.sys ?? 0,
      idle: t?.idle ?? 0,
      iowait: t?.iowait ?? 0,
      irq: t?.irq ?? 0,
      softirq: t?.softirq ?? 0,
      steal: t?.steal ?? 0,
      guest: t?.guest ?? 0,
    };
  }

  meminfos(): Record<string, unknown> {
    const m = parseMeminfo(readProc('/proc/meminfo'));
    const get = (k: string) => m.get(k) ?? 0;
    const total = get('MemTotal');
    const active = total - get('MemFree');
    const realInUse = active - get('Buffers') - get('Cached');
    const swapTotal = get('SwapTotal');
    return {
      ok: m.size > 0,
      sample_time: this.sampledAt,
      percent_ram: total > 0 ? round2(realInUse / total) : 0,
      percent_swap: swapTotal > 0 ? round2(1 - get('SwapFree') / swapTotal) : 0,
      MemActive: active,
      RealInUse: realInUse,
      NotInUse: total - realInUse,
      MemTotal: total,
      MemFree: get('MemFree'),
      Buffers: get('Buffers'),
      Cached: get('Cached'),
      SwapTotal: swapTotal,
      SwapFree: get('SwapFree'),
    };
  }

  /** The `data` of /api/v1/summaries (also the heartbeat's `summaries`). */
  summaries(server: ServerTotals, version: string): Record<string, unknown> {
    const now = Date.now();
    const mem = this.meminfos() as { percent_ram: number; percent_swap: number; MemTotal: number; SwapTotal: number };
    const rss = Number(this.self?.stat.rss ?? 0) * PAGE_KB;
    const [uptime, idle] = parseNumbers(readProc('/proc/uptime'), 2);
    const [load1, load5, load15] = parseNumbers(readProc('/proc/loadavg'), 3);
    const sock = parseSockstat(readProc('/proc/net/sockstat'));
    const net = this.network();
    const cpuCount = cpus().length;
    return {
      ok: true,
      now_ms: now,
      self: {
        version,
        pid: process.pid,
        ppid: process.ppid,
        argv: process.argv.join(' '),
        cwd: process.cwd(),
        mem_kbyte: process.resourceUsage().maxRSS,
        mem_percent: mem.MemTotal > 0 ? round2(rss / mem.MemTotal) : 0,
        cpu_percent: round2(this.selfCpuPercent),
        srs_uptime: Math.floor(process.uptime()),
      },
      system: {
        cpu_percent: round2(this.cpu?.percent ?? 0),
        disk_read_KBps: this.disk?.readKBps ?? 0,
        disk_write_KBps: this.disk?.writeKBps ?? 0,
        disk_busy_percent: round2(this.disk?.busyPercent ?? 0),
        mem_ram_kbyte: mem.MemTotal,
        mem_ram_percent: mem.percent_ram,
        mem_swap_kbyte: mem.SwapTotal,
        mem_swap_percent: mem.percent_swap,
        cpus: cpuCount,
        cpus_online: cpuCount,
        uptime: uptime!,
        // sic: SRS's key
        ilde_time: idle!,
        load_1m: load1!,
        load_5m: load5!,
        load_15m: load15!,
        net_sample_time: this.sampledAt,
        net_recv_bytes: net.publicRecv,
        net_send_bytes: net.publicSend,
        net_recvi_bytes: net.intranetRecv,
        net_sendi_bytes: net.intranetSend,
        srs_sample_time: this.sampledAt,
        srs_recv_bytes: server.recvBytes,
        srs_send_bytes: server.sendBytes,
        conn_sys: sock.tcpAlloc,
        conn_sys_et: sock.tcpInuse,
        conn_sys_tw: sock.tcpTw,
        conn_sys_udp: sock.udpInuse,
        conn_srs: server.clients,
      },
    };
  }

  /**
   * Bytes through interfaces with a public address (net_*_bytes) and through the others,
   * loopback and private networks included (net_*i_bytes), as SRS splits them.
   */
  private network(): { publicRecv: number; publicSend: number; intranetRecv: number; intranetSend: number } {
    const counters = parseNetDev(readProc('/proc/net/dev'));
    const interfaces = networkInterfaces();
    const out = { publicRecv: 0, publicSend: 0, intranetRecv: 0, intranetSend: 0 };
    for (const [name, c] of counters) {
      const addresses = interfaces[name] ?? [];
      const isPublic = addresses.some((a) => a.family === 'IPv4' && !a.internal && !isPrivateIPv4(a.address));
      if (isPublic) {
        out.publicRecv += c.recvBytes;
        out.publicSend += c.sendBytes;
      } else {
        out.intranetRecv += c.recvBytes;
        out.intranetSend += c.sendBytes;
      }
    }
    return out;
  }
}

export function isPrivateIPv4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}
