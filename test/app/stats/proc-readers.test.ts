import { describe, expect, it } from 'vitest';
import {
  cpuTotal,
  parseCpuTimes,
  parseDiskstats,
  parseMeminfo,
  parseNetDev,
  parseNumbers,
  parseProcSelfStat,
  parseSockstat,
  PROC_STAT_FIELDS,
} from '../../../src/app/stats/proc-readers.js';

const SELF_STAT =
  '27818 (srs (main)) R 1 27815 2249 0 -1 4194304 6224 126 8 0 167 117 0 0 20 0 1 0 108552 207659008 10782 ' +
  '18446744073709551615 93958960783360 93958963611881 140730049166992 0 0 0 0 4096 16935 0 0 0 17 0 0 0 0 0 0 ' +
  '94695584271408 94695584273024 94696476852224 140736392223456 140736392223476 140736392223476 140736392224747 0\n';

describe('/proc parsers', () => {
  it('reads /proc/self/stat with SRS names, a command with spaces and parentheses, rsslim as -1', () => {
    const s = parseProcSelfStat(SELF_STAT)!;
    expect(Object.keys(s)).toEqual([...PROC_STAT_FIELDS]);
    expect(s).toMatchObject({ pid: 27818, comm: '(srs (main))', state: 'R', ppid: 1, utime: 167, stime: 117, rss: 10782, rsslim: -1, exit_signal: 17, cguest_time: 0 });
    expect(s.startcode).toBe(93958960783360);
  });

  it('gives undefined or zeros for broken input, never throws', () => {
    expect(parseProcSelfStat('')).toBeUndefined();
    expect(parseProcSelfStat('12 no-parens R')).toBeUndefined();
    const short = parseProcSelfStat('1 (x) S 0')!;
    expect(short.cguest_time).toBe(0);
    expect(parseProcSelfStat('1 (x) S junk 2')!.ppid).toBe(0);
    expect(parseCpuTimes('intr 1 2 3')).toBeUndefined();
    expect(parseMeminfo('garbage').size).toBe(0);
    expect(parseNumbers('', 3)).toEqual([0, 0, 0]);
    expect(parseNetDev('nonsense: a b').size).toBe(0);
    expect(parseDiskstats('8 0 sda 1').size).toBe(0);
    expect(parseSockstat('')).toEqual({ tcpAlloc: 0, tcpInuse: 0, tcpTw: 0, udpInuse: 0 });
  });

  it('reads the cpu line, meminfo, uptime, net/dev, diskstats and sockstat', () => {
    const cpu = parseCpuTimes('cpu  58295 434 16187 348227 551 0 2843 100 0 0\ncpu0 1 2 3 4\n')!;
    expect(cpu).toEqual({ user: 58295, nice: 434, sys: 16187, idle: 348227, iowait: 551, irq: 0, softirq: 2843, steal: 100, guest: 0 });
    expect(cpuTotal(cpu)).toBe(58295 + 434 + 16187 + 348227 + 551 + 2843 + 100);
    const mem = parseMeminfo('MemTotal:       24684084 kB\nMemFree:        23534636 kB\nActive(anon):     100 kB\n');
    expect(mem.get('MemTotal')).toBe(24684084);
    expect(mem.get('Active(anon)')).toBe(100);
    expect(parseNumbers('2140.44 3482.28\n', 2)).toEqual([2140.44, 3482.28]);
    const net = parseNetDev('Inter-|   Receive\n face |bytes\n    lo: 9375 93 0 2020 0 0 0 0 8888 93 0 0 0 0 0 0\n  eth0: 130 4 0 0 0 0 0 0 278 27 0 0 0 0 0 0\n');
    expect(net.get('lo')).toEqual({ recvBytes: 9375, sendBytes: 8888 });
    expect(net.get('eth0')).toEqual({ recvBytes: 130, sendBytes: 278 });
    const disks = parseDiskstats('   8       0 sda 100 0 2000 50 300 0 4000 60 0 700 800 0 0 0 0\n');
    expect(disks.get('sda')).toEqual({ readSectors: 2000, writeSectors: 4000, busyMs: 700 });
    expect(parseSockstat('sockets: used 52\nTCP: inuse 2 orphan 0 tw 7 alloc 3 mem 141\nUDP: inuse 4 mem 0\n')).toEqual({ tcpAlloc: 3, tcpInuse: 2, tcpTw: 7, udpInuse: 4 });
  });
});
