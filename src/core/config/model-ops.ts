/** Operations sections: metrics exporter, heartbeat, stats devices, circuit breaker, cloud logging. */
import { block } from './fields-block.js';
import { flag, int, list, listen, num, str } from './fields-scalar.js';

export const exporterSchema = {
  enabled: flag(false),
  listen: listen(9972),
  label: str(''),
  tag: str(''),
};

export const heartbeatSchema = {
  enabled: flag(false),
  /** seconds (float) */
  interval: num(9.3, { min: 0.1 }),
  url: str('http://127.0.0.1:8085/api/v1/servers'),
  device_id: str(''),
  summaries: flag(false),
  ports: flag(false),
};

export const statsSchema = {
  enabled: flag(true),
  /** Index of the network interface the API reports. */
  network: int(0, { min: 0 }),
  /** Disk device names (sda, xvda...) the API reports. */
  disk: list(),
};

/** Percent CPU thresholds and how many pulses (seconds) they must last. */
export const circuitBreakerSchema = {
  enabled: flag(true),
  high_threshold: int(90, { min: 0, max: 100 }),
  high_pulse: int(2, { min: 0 }),
  critical_threshold: int(95, { min: 0, max: 100 }),
  critical_pulse: int(1, { min: 0 }),
  dying_threshold: int(99, { min: 0, max: 100 }),
  dying_pulse: int(5, { min: 0 }),
};

/** Accepted for SRS compatibility; tsrs reports nothing to Tencent Cloud. */
export const tencentcloudClsSchema = {
  enabled: flag(false),
  stat_heartbeat: flag(true),
  stat_streams: flag(true),
  debug_logging: flag(false),
  heartbeat_ratio: int(1, { min: 1 }),
  streams_ratio: int(1, { min: 1 }),
  secret_id: str(''),
  secret_key: str(''),
  endpoint: str('ap-guangzhou.cls.tencentyun.com'),
  topic_id: str(''),
  label: str(''),
  tag: str(''),
};

/** Accepted for SRS compatibility; tsrs exports no traces to Tencent Cloud. */
export const tencentcloudApmSchema = {
  enabled: flag(false),
  team: str(''),
  token: str(''),
  endpoint: str('ap-guangzhou.apm.tencentcs.com:4317'),
  service_name: str('srs-server'),
  debug_logging: flag(false),
};

export const opsFields = {
  exporter: block(exporterSchema),
  heartbeat: block(heartbeatSchema),
  stats: block(statsSchema),
  circuit_breaker: block(circuitBreakerSchema),
  tencentcloud_cls: block(tencentcloudClsSchema),
  tencentcloud_apm: block(tencentcloudApmSchema),
};
