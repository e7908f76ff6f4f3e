/**
 * The source's timeline: SRS time_jitter over the publisher's timestamps, shifted so that
 * a republish continues after the previous session's last timestamp (players that waited
 * through the gap never see time run backwards). `atc` keeps the publisher's absolute time.
 */
import { TimestampJitter } from '../../kernel/jitter.js';
import type { MediaKind } from '../../kernel/packet.js';
import type { LiveOptions } from './options.js';

export interface TimeCorrector {
  /** The stream time of a message the publisher stamped `timestamp` (uint32). */
  correct(timestamp: number, kind: MediaKind): number;
}

export function createTimeCorrector(options: LiveOptions, startAt: number): TimeCorrector {
  const mode = options.atc ? 'off' : options.timeJitter;
  const jitter = new TimestampJitter(mode);
  const offset = mode === 'off' ? 0 : startAt;
  return {
    correct: (timestamp, kind) => jitter.correct(timestamp, kind) + offset,
  };
}
