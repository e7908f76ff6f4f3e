/**
 * Gives every source an HLS switch: on each publish it reads the vhost's current `hls`
 * section (so a reload applies to the next publish) and, when enabled, segments the stream.
 */
import { resolveVhost, type HlsConfig, type ServerConfig } from '../../core/config/index.js';
import type { MediaPacket } from '../../kernel/packet.js';
import type { LiveSource, SourceOutput } from '../live/source.js';
import { HlsOutput } from './hls-output.js';
import type { HlsOptions, HlsSegmentInfo } from './options.js';

export function hlsOptionsFromConfig(hls: HlsConfig, onSegment?: (info: HlsSegmentInfo) => void): HlsOptions {
  return {
    fragment: hls.hls_fragment,
    tdRatio: hls.hls_td_ratio,
    aofRatio: hls.hls_aof_ratio,
    window: hls.hls_window,
    path: hls.hls_path,
    m3u8File: hls.hls_m3u8_file,
    tsFile: hls.hls_ts_file,
    tsFloor: hls.hls_ts_floor,
    entryPrefix: hls.hls_entry_prefix,
    acodec: hls.hls_acodec,
    vcodec: hls.hls_vcodec,
    cleanup: hls.hls_cleanup,
    dispose: hls.hls_dispose,
    waitKeyframe: hls.hls_wait_keyframe,
    dtsDirectly: hls.hls_dts_directly,
    keys: hls.hls_keys,
    fragmentsPerKey: hls.hls_fragments_per_key,
    keyFile: hls.hls_key_file,
    keyFilePath: hls.hls_key_file_path,
    keyUrl: hls.hls_key_url,
    nbNotify: hls.hls_nb_notify,
    continuous: hls.hls_continuous,
    ...(onSegment ? { onSegment } : {}),
  };
}

class HlsSwitch implements SourceOutput {
  private output: HlsOutput | undefined;

  constructor(
    private readonly getConfig: () => ServerConfig,
    private readonly onSegment: ((info: HlsSegmentInfo) => void) | undefined,
  ) {}

  onPublish(source: LiveSource): void {
    const hls = resolveVhost(this.getConfig(), source.vhost)?.hls;
    if (!hls?.enabled) {
      this.output?.close();
      this.output = undefined;
      return;
    }
    // A republish keeps the segmenter (and its sequence numbers) unless the settings changed.
    const options = hlsOptionsFromConfig(hls, this.onSegment);
    if (this.output && JSON.stringify({ ...this.output.options, onSegment: 0 }) !== JSON.stringify({ ...options, onSegment: 0 })) {
      this.output.close();
      this.output = undefined;
    }
    this.output ??= new HlsOutput(options);
    this.output.onPublish(source);
  }

  wantsFrames(): boolean {
    return this.output !== undefined;
  }

  onPacket(packet: MediaPacket, source: LiveSource): void {
    this.output?.onPacket(packet, source);
  }

  onUnpublish(): void {
    this.output?.onUnpublish();
  }

  isActive(): boolean {
    return this.output?.isActive() ?? false;
  }

  close(): void {
    this.output?.close();
    this.output = undefined;
  }

  flushed(): Promise<void> {
    return this.output?.flushed() ?? Promise.resolve();
  }
}

export function createHlsFactory(
  getConfig: () => ServerConfig,
  onSegment?: (info: HlsSegmentInfo) => void,
): (source: LiveSource) => void {
  return (source) => source.addOutput(new HlsSwitch(getConfig, onSegment));
}
