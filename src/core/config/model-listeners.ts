/** The media listeners beside RTMP: `rtc_server` (WebRTC), `srt_server` and `stream_caster`s. */
import { block, mapped, repeated } from './fields-block.js';
import { flag, int, listen, num, oneOf, single, str } from './fields-scalar.js';

export const rtcServerSchema = {
  enabled: flag(false),
  /** UDP media port(s). */
  listen: listen(8000),
  tcp: block({ enabled: flag(false), listen: listen(8000) }),
  protocol: oneOf(['udp', 'tcp', 'all'] as const, 'udp'),
  /** The IP put in ICE candidates; `*` detects it. `candidate $CANDIDATE;` with the env unset means `*`. */
  candidate: str('*', { emptyMeansDefault: true }),
  use_auto_detect_network_ip: flag(true),
  ip_family: oneOf(['ipv4', 'ipv6', 'all'] as const, 'ipv4'),
  api_as_candidates: flag(true),
  resolve_api_domain: flag(true),
  keep_api_domain: flag(false),
  ecdsa: flag(true),
  encrypt: flag(true),
  reuseport: int(1, { min: 1, max: 256 }),
  merge_nalus: flag(false),
  black_hole: block({ enabled: flag(false), addr: str('') }),
};

export const srtServerSchema = {
  enabled: flag(false),
  listen: listen(10080),
  /** Bytes per second; -1 is unlimited. */
  maxbw: int(-1, { min: -1 }),
  mss: int(1500, { min: 76, max: 65536 }),
  /** ms */
  connect_timeout: int(3000, { min: 0 }),
  /** ms */
  peer_idle_timeout: int(10000, { min: 0 }),
  default_app: str('live'),
  default_streamid: str('#!::r=live/livestream,m=publish'),
  /** ms, each of the latencies. */
  peerlatency: int(0, { min: 0 }),
  recvlatency: int(120, { min: 0 }),
  latency: int(120, { min: 0 }),
  tsbpdmode: flag(false),
  tlpktdrop: flag(false),
  /** bytes */
  sendbuf: int(8192000, { min: 0 }),
  recvbuf: int(8192000, { min: 0 }),
  passphrase: str(''),
  /** 0 (no encryption), 16, 24 or 32. */
  pbkeylen: single(0, '0, 16, 24 or 32', (arg) => (['0', '16', '24', '32'].includes(arg) ? Number(arg) : undefined)),
};

const CASTER_PORTS = { mpegts_over_udp: 8935, flv: 8936, gb28181: 9000 } as const;

const streamCasterSchema = {
  enabled: flag(false),
  caster: oneOf(['mpegts_over_udp', 'flv', 'gb28181'] as const, 'mpegts_over_udp'),
  /** Where the cast stream goes, e.g. rtmp://127.0.0.1/live/livestream ([stream] for gb28181). */
  output: str('rtmp://127.0.0.1/live/livestream'),
  /** When absent, the caster's usual port: 8935 mpegts_over_udp, 8936 flv, 9000 gb28181. */
  listen: listen(),
  sip: block({
    enabled: flag(true),
    listen: listen(5060),
    /** seconds */
    timeout: num(60, { min: 0 }),
    /** seconds */
    reinvite: num(5, { min: 0 }),
    candidate: str('*', { emptyMeansDefault: true }),
  }),
  rtp_port_min: int(57200, { min: 0, max: 65535 }),
  rtp_port_max: int(57300, { min: 0, max: 65535 }),
};

export const streamCastersField = mapped(repeated(streamCasterSchema, { directive: 'stream_caster' }), (casters) =>
  casters.map((c) => (c.listen.length > 0 ? c : { ...c, listen: [{ host: '0.0.0.0', port: CASTER_PORTS[c.caster] }] })),
);
