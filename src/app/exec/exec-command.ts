/**
 * An `exec { publish CMD ARGS...; }` line made runnable, as SRS's SrsNgExec/SrsProcess do:
 * variables substituted ([vhost] [port] [app] [stream] [tcUrl] [swfUrl] [pageUrl] [param]
 * [url], time fields), and the shell-style redirections SRS understands taken out of the
 * arguments (`>F`, `1>F`, `2>F`, and each with the file as the next argument; `2>&1`).
 * No shell runs: the arguments reach the command as written.
 */
import { DEFAULT_VHOST } from '../../kernel/stream-url.js';
import { fillTemplate } from '../ffmpeg/template.js';

export interface ExecVars {
  vhost: string;
  app: string;
  stream: string;
  /** The host and port the publisher connected to (its tcUrl's). */
  host: string;
  port: number;
  tcUrl: string;
  swfUrl: string;
  pageUrl: string;
  /** The publish query with its `?`, or ''. */
  param: string;
}

export interface ExecCommand {
  bin: string;
  args: string[];
  /** Redirections; undefined means the default log. */
  stdoutFile?: string;
  stderrFile?: string;
  /** `2>&1`: stderr goes where stdout goes. */
  stderrToStdout: boolean;
}

/** The stream's RTMP URL as SRS's [url] gives it: the tcUrl's host and port, vhost in the query. */
export function rtmpUrlOf(v: ExecVars): string {
  let query = v.param;
  if (v.vhost !== DEFAULT_VHOST && v.vhost !== v.host && !/[?&]vhost=/.test(query)) {
    query += `${query ? '&' : '?'}vhost=${v.vhost}`;
  }
  return `rtmp://${v.host}:${v.port}/${v.app}/${v.stream}${query}`;
}

export function buildExecCommand(line: readonly string[], vars: ExecVars, now = new Date()): ExecCommand {
  const values = { ...vars, url: rtmpUrlOf(vars) };
  const words = line.map((w) => fillTemplate(w, values, now));
  const command: ExecCommand = { bin: words[0] ?? '', args: [], stderrToStdout: false };
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    if (word === '2>&1') {
      command.stderrToStdout = true;
    } else if ((word === '>' || word === '1>') && next !== undefined) {
      command.stdoutFile = next;
      i++;
    } else if (word === '2>' && next !== undefined) {
      command.stderrFile = next;
      i++;
    } else if (word.startsWith('1>') && word.length > 2) {
      command.stdoutFile = word.slice(2);
    } else if (word.startsWith('2>') && word.length > 2) {
      command.stderrFile = word.slice(2);
    } else if (word.startsWith('>') && word.length > 1) {
      command.stdoutFile = word.slice(1);
    } else {
      command.args.push(word);
    }
  }
  return command;
}
