/** ffmpeg-driven vhost features: `ingest NAME {}` pulls a source in, `transcode SCOPE {}` re-encodes. */
import { block, named, params } from './fields-block.js';
import { flag, int, num, oneOf, str } from './fields-scalar.js';

const FFMPEG = './objs/ffmpeg/bin/ffmpeg';

/** One ffmpeg output: `vcodec copy`/`acodec copy` passes a track, `vn`/`an` drops it. */
const engineSchema = {
  enabled: flag(false),
  /** Input options put before -i (re, rtsp_transport...). */
  perfile: params(),
  iformat: str('flv'),
  /** Filter options (-vf, -i logo.png, -filter_complex...). */
  vfilter: params(),
  vcodec: str('copy'),
  /** kbps */
  vbitrate: int(0, { min: 0 }),
  vfps: num(0, { min: 0 }),
  vwidth: int(0, { min: 0 }),
  vheight: int(0, { min: 0 }),
  vthreads: int(0, { min: 0 }),
  vprofile: str(''),
  vpreset: str(''),
  vparams: params(),
  acodec: str('copy'),
  /** kbps */
  abitrate: int(0, { min: 0 }),
  asample_rate: int(0, { min: 0 }),
  achannels: int(0, { min: 0 }),
  aparams: params(),
  oformat: str('flv'),
  /** rtmp://... with [vhost], [port], [app], [stream], [engine] variables. */
  output: str(''),
};

const engines = named(engineSchema, { directive: 'engine', nameRequired: false });

export const ingestsField = named(
  {
    enabled: flag(false),
    input: block({
      type: oneOf(['file', 'stream'] as const, 'file'),
      url: str(''),
    }),
    ffmpeg: str(FFMPEG),
    engines,
  },
  { directive: 'ingest', nameRequired: true },
);

/** The name is the scope: empty for every stream, `APP`, or `APP/STREAM`. */
export const transcodesField = named(
  {
    enabled: flag(false),
    ffmpeg: str(FFMPEG),
    engines,
  },
  { directive: 'transcode', nameRequired: false },
);
