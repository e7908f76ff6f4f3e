/**
 * The informational part of /api/v1: versions, summaries, rusages, proc stats, meminfos,
 * authors, features, requests and the tests/ endpoints, in SRS 6's shapes. tsrs reports
 * SRS's version number: it is the API level tsrs implements and the one SRS tools check.
 */
import { ErrorCode } from '../../core/errors.js';
import { SRS_COMPAT_VERSION, TSRS_SERVER, TSRS_VERSION } from '../../core/version.js';
import type { StatsRegistry } from '../stats/stats-registry.js';
import { envelope, reply, replyCode, type ApiRequest, type RouteHandler } from './api-request.js';
import { sendText } from './http-io.js';

const [MAJOR, MINOR, REVISION] = SRS_COMPAT_VERSION.split('.').map(Number) as [number, number, number];
const STARTED = new Date();

export const ROOT_URLS = {
  api: 'the api root',
  rtc: { v1: { play: 'Play stream', publish: 'Publish stream', nack: 'Simulate the NACK' } },
};

export const API_URLS = { v1: 'the api version 1.0' };

export const V1_URLS = {
  versions: 'the version of SRS',
  summaries: 'the summary(pid, argv, pwd, cpu, mem) of SRS',
  rusages: 'the rusage of SRS',
  self_proc_stats: 'the self process stats',
  system_proc_stats: 'the system process stats',
  meminfos: 'the meminfo of system',
  authors: 'the license, copyright, authors and contributors',
  features: 'the supported features of SRS',
  requests: 'the request itself, for http debug',
  vhosts: 'manage all vhosts or specified vhost',
  streams: 'manage all streams or specified stream',
  clients: 'manage all clients or specified client, default query top 10 clients',
  raw: 'raw api for srs, support CUID srs for instance the config',
  clusters: 'origin cluster server API',
  perf: 'System performance stat',
  tcmalloc: 'tcmalloc api with params ?page=summary|api',
};

export const V1_TESTS = {
  requests: 'show the request info',
  errors: 'always return an error 100',
  redirects: 'always redirect to /api/v1/test/errors',
  '[vhost]': 'http vhost for http://error.srs.com:1985/api/v1/tests/errors',
};

function formatBuildTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** SRS's /api/v1/requests, including its quirk: the server facts replace the request headers. */
function requestsData(request: ApiRequest): Record<string, unknown> {
  const host = (request.req.headers.host ?? '').replace(/:\d+$/, '');
  return {
    uri: `http://${host}${request.url.pathname}${request.url.search}`,
    path: request.path,
    METHOD: request.method,
    headers: { sigature: 'SRS', version: SRS_COMPAT_VERSION, link: 'https://github.com/ossrs/srs', time: Date.now() },
  };
}

/** Routes by exact path. `stats` gives the process figures and the envelope's identity. */
export function systemRoutes(stats: StatsRegistry, totals: () => { recvBytes: number; sendBytes: number; clients: number }): Record<string, RouteHandler> {
  const id = stats.identity;
  const data = (request: ApiRequest, body: unknown) => reply(request, envelope(id, { data: body }));
  return {
    '/': (r) => reply(r, envelope(id, { urls: ROOT_URLS })),
    '/api/': (r) => reply(r, envelope(id, { urls: API_URLS })),
    '/api/v1/': (r) => reply(r, envelope(id, { urls: V1_URLS, tests: V1_TESTS })),
    '/api/v1/versions': (r) => data(r, { major: MAJOR, minor: MINOR, revision: REVISION, version: SRS_COMPAT_VERSION }),
    '/api/v1/summaries': (r) => data(r, stats.system.summaries(totals(), SRS_COMPAT_VERSION)),
    '/api/v1/rusages': (r) => data(r, stats.system.rusages()),
    '/api/v1/self_proc_stats': (r) => data(r, stats.system.selfProcStats()),
    '/api/v1/system_proc_stats': (r) => data(r, stats.system.systemProcStats()),
    '/api/v1/meminfos': (r) => data(r, stats.system.meminfos()),
    '/api/v1/authors': (r) => data(r, { license: 'MIT', contributors: `${TSRS_SERVER}: see README.md; API of SRS, https://github.com/ossrs/srs` }),
    '/api/v1/features': (r) =>
      data(r, {
        options: `tsrs ${TSRS_VERSION} (TypeScript control plane, native data plane), node ${process.version}`,
        options2: `${process.platform}-${process.arch}`,
        build: formatBuildTime(STARTED),
        build2: String(Math.floor(STARTED.getTime() / 1000)),
        features: {
          ssl: true,
          hls: true,
          hds: false,
          callback: true,
          api: true,
          httpd: true,
          dvr: true,
          transcode: true,
          ingest: true,
          stat: true,
          caster: true,
          complex_send: true,
          tcp_nodelay: true,
          so_sendbuf: false,
          mr: true,
        },
      }),
    '/api/v1/requests': (r) => data(r, requestsData(r)),
    '/api/v1/tests/requests': (r) => data(r, requestsData(r)),
    '/api/v1/tests/errors': (r) => replyCode(r, ErrorCode.ApiTestsError),
    '/api/v1/tests/redirects': (r) =>
      sendText(r.res, 302, 'Redirect to /api/v1/tests/errors', { Location: '/api/v1/tests/errors', Connection: 'Close' }),
  };
}
