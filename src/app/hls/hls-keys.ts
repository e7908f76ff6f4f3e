/**
 * AES-128 keys for hls_keys: a fresh random key every hls_fragments_per_key segments, stored
 * at hls_key_file_path/hls_key_file and announced at hls_key_url + hls_key_file (or relative
 * to the playlist). Each segment is encrypted with the IV its sequence number implies.
 */
import { dirname, relative, sep } from 'node:path';
import { newHlsKey } from '../../protocol/hls/aes.js';
import { pathInside } from './hls-files.js';
import type { HlsOptions } from './options.js';
import { renderHlsTemplate, type HlsTemplateVars } from './path-template.js';

export interface HlsKey {
  key: Buffer;
  uri: string;
  file: string;
  /** First segment using it: its file still has to be written. */
  fresh: boolean;
}

export class HlsKeyRing {
  private current: Omit<HlsKey, 'fresh'> | undefined;
  private used = 0;

  constructor(private readonly options: HlsOptions) {}

  /** The key for segment `seq`, rotating as configured; undefined when hls_keys is off. */
  keyFor(seq: number, vars: HlsTemplateVars, m3u8Path: string): HlsKey | undefined {
    if (!this.options.keys) return undefined;
    if (this.current && this.used < Math.max(1, this.options.fragmentsPerKey)) {
      this.used++;
      return { ...this.current, fresh: false };
    }
    const name = renderHlsTemplate(this.options.keyFile, { ...vars, seq });
    const file = pathInside(this.options.keyFilePath || this.options.path, name);
    const uri = this.options.keyUrl ? this.options.keyUrl + name : relative(dirname(m3u8Path), file).split(sep).join('/');
    this.current = { key: newHlsKey(), uri, file };
    this.used = 1;
    return { ...this.current, fresh: true };
  }

  /** A republish or dispose starts a new key. */
  reset(): void {
    this.current = undefined;
    this.used = 0;
  }
}
