/**
 * SRS 5/6's Prometheus exporter text (`/metrics`): the same metric names, types and help
 * lines, so dashboards and alerts written for SRS keep working. tsrs adds a few of its own
 * under the tsrs_ prefix.
 */
import { hostname, machine, release, type, version } from 'node:os';
import { SRS_COMPAT_VERSION } from '../../core/version.js';
import type { StatsRegistry } from '../stats/stats-registry.js';

export interface MetricsLabels {
  /** exporter.label and exporter.tag, added to srs_build_info when set. */
  label: string;
  tag: string;
}

/** Prometheus label values escape backslash, double quote and newline. */
function esc(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}

function metric(out: string[], name: string, type: 'gauge' | 'counter', help: string, value: number, labelText = ''): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}${labelText} ${Number.isFinite(value) ? value : 0}`);
}

const BUILD_DATE = new Date().toISOString().replace('T', ' ').slice(0, 19);

export function renderMetrics(stats: StatsRegistry, extra: MetricsLabels): string {
  stats.collect();
  const id = stats.identity;
  const [major] = SRS_COMPAT_VERSION.split('.');
  const build: Record<string, string> = {
    server: id.serverId,
    service: id.serviceId,
    pid: id.pid,
    build_date: BUILD_DATE,
    major: major!,
    version: SRS_COMPAT_VERSION,
    code: 'Hang',
  };
  if (extra.label) build.label = extra.label;
  if (extra.tag) build.tag = extra.tag;
  const out: string[] = [];
  metric(out, 'srs_node_uname_info', 'gauge', 'Labeled system information as provided by the uname system call.', 1,
    labels({ sysname: type(), nodename: hostname(), release: release(), version: version(), machine: machine() }));
  metric(out, 'srs_build_info', 'gauge', "A metric with a constant '1' value labeled by build_date, version from which SRS was built.", 1, labels(build));
  metric(out, 'srs_cpu_percent', 'gauge', 'SRS cpu used percent.', Math.round(stats.system.selfCpuPercent * 10000) / 100);
  metric(out, 'srs_memory', 'gauge', 'SRS memory used.', process.resourceUsage().maxRSS);
  metric(out, 'srs_send_bytes_total', 'counter', 'SRS total sent bytes.', stats.server.sendBytes);
  metric(out, 'srs_receive_bytes_total', 'counter', 'SRS total received bytes.', stats.server.recvBytes);
  metric(out, 'srs_streams', 'gauge', 'The number of SRS concurrent streams.', stats.streams().length);
  metric(out, 'srs_clients', 'gauge', 'The number of SRS concurrent clients.', stats.clients.size);
  metric(out, 'srs_clients_total', 'counter', 'The total counts of SRS clients.', stats.clientsTotal);
  metric(out, 'srs_clients_errs_total', 'counter', 'The total errors of SRS clients.', stats.clientsErrors);
  metric(out, 'srs_node_uptime', 'gauge', 'The seconds since SRS started.', Math.floor(process.uptime()));
  metric(out, 'tsrs_connections_refused_total', 'counter', 'Connections refused before a session started (max_connections).', stats.connectionsRefused);
  return `${out.join('\n')}\n`;
}
