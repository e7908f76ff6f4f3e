/** What the FFmpeg-driven services add to SRS's templates: safe pieces of file names. */
export { fillTemplate, timeVariables } from '../../kernel/srs-template.js';

/** A file-name-safe piece of a log file name (stream names are chosen by clients). */
export function safeName(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}
