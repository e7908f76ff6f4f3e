/**
 * FFmpeg command lines built as SRS builds them (SrsFFMPEG::start) from an `engine` block, so
 * configs tuned for SRS give the same encodes:
 *   ffmpeg [-loglevel L] [perfile...] [input params] [-f iformat] -i INPUT [vfilter...]
 *          (-vcodec C [-b:v, -r, -s, -aspect, -threads, -profile:v, -preset, vparams...] | -vn)
 *          (-acodec C [-b:a, -ar, -ac, aparams...] | -an) [-f oformat] -y OUTPUT
 * Codec options are left out for `copy` (FFmpeg would refuse them) and for vn/an.
 */
import type { EngineConfig, Param } from '../../core/config/index.js';

export const COPY = 'copy';
export const NO_VIDEO = 'vn';
export const NO_AUDIO = 'an';

export interface EngineInvocation {
  input: string;
  output: string;
  /** Given before -i: `-re` for a file ingest. */
  inputParams?: readonly string[];
  /** ff_log_level; empty leaves FFmpeg's default. */
  logLevel?: string;
  /** -f before -i; '' or 'off' lets FFmpeg probe. */
  inputFormat?: string;
}

/** `name v1 v2;` in a params block is `-name v1 v2` on the command line. */
export function paramArgs(params: readonly Param[]): string[] {
  return params.flatMap((p) => [`-${p.name}`, ...p.args]);
}

export function transcodeArgs(engine: EngineConfig, run: EngineInvocation): string[] {
  const args: string[] = [];
  if (run.logLevel) args.push('-loglevel', run.logLevel);
  args.push(...paramArgs(engine.perfile), ...(run.inputParams ?? []));
  const iformat = run.inputFormat ?? engine.iformat;
  if (iformat && iformat !== 'off') args.push('-f', iformat);
  args.push('-i', run.input, ...paramArgs(engine.vfilter));

  if (engine.vcodec === NO_VIDEO) {
    args.push('-vn');
  } else {
    args.push('-vcodec', engine.vcodec);
    if (engine.vcodec !== COPY) {
      if (engine.vbitrate > 0) args.push('-b:v', String(engine.vbitrate * 1000));
      if (engine.vfps > 0) args.push('-r', String(engine.vfps));
      if (engine.vwidth > 0 && engine.vheight > 0) {
        args.push('-s', `${engine.vwidth}x${engine.vheight}`, '-aspect', `${engine.vwidth}:${engine.vheight}`);
      }
      if (engine.vthreads > 0) args.push('-threads', String(engine.vthreads));
      if (engine.vprofile) args.push('-profile:v', engine.vprofile);
      if (engine.vpreset) args.push('-preset', engine.vpreset);
      args.push(...paramArgs(engine.vparams));
    }
  }

  if (engine.acodec === NO_AUDIO) {
    args.push('-an');
  } else {
    args.push('-acodec', engine.acodec);
    if (engine.acodec !== COPY) {
      if (engine.abitrate > 0) args.push('-b:a', String(engine.abitrate * 1000));
      if (engine.asample_rate > 0) args.push('-ar', String(engine.asample_rate));
      if (engine.achannels > 0) args.push('-ac', String(engine.achannels));
      args.push(...paramArgs(engine.aparams));
    }
  }

  if (engine.oformat && engine.oformat !== 'off') args.push('-f', engine.oformat);
  args.push('-y', run.output);
  return args;
}

/** A plain copy (an ingest whose engine is disabled, as SRS's initialize_copy). */
export function copyArgs(run: EngineInvocation): string[] {
  const args: string[] = [];
  if (run.logLevel) args.push('-loglevel', run.logLevel);
  args.push(...(run.inputParams ?? []));
  if (run.inputFormat && run.inputFormat !== 'off') args.push('-f', run.inputFormat);
  args.push('-i', run.input, '-vcodec', COPY, '-acodec', COPY, '-f', 'flv', '-y', run.output);
  return args;
}
