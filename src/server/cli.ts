/**
 * The `tsrs` command: `-c FILE` runs, `-t -c FILE` checks a config, `-v` prints the
 * version, `-h` the help. Signals: SIGHUP reload, SIGTERM graceful quit, SIGINT fast quit,
 * SIGUSR1 reopen the log file.
 */
import { describeError } from '../core/errors.js';
import { log } from '../core/logger.js';
import { TSRS_VERSION } from '../core/version.js';
import { readConfigFile } from './config-file.js';
import { detachIntoDaemon, isDaemonChild } from './daemon.js';
import { keepYoungGenerationSmall } from './heap-tuning.js';
import { TsrsServer } from './server.js';

const HELP = `tsrs ${TSRS_VERSION}: live streaming server, a drop-in for SRS.
Usage: tsrs [-h] [-v] [-t] -c FILE
  -c FILE   run with the config FILE (SRS syntax)
  -t        check the config FILE and exit (0 valid, 1 invalid)
  -v, -V    print the version and exit
  -h        print this help and exit
Signals: SIGHUP reload, SIGTERM graceful quit, SIGINT fast quit, SIGUSR1 reopen log.
`;

interface CliArgs {
  config: string | undefined;
  test: boolean;
  version: boolean;
  help: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { config: undefined, test: false, version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-c') args.config = argv[++i];
    else if (arg === '-t') args.test = true;
    else if (arg === '-v' || arg === '-V' || arg === '--version') args.version = true;
    else if (arg === '-h' || arg === '--help') args.help = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return args;
}

export async function main(argv: string[]): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`tsrs: ${describeError(err)}\n${HELP}`);
    process.exit(1);
  }
  if (args.help) return void process.stdout.write(HELP);
  keepYoungGenerationSmall();
  if (args.version) return void process.stdout.write(`${TSRS_VERSION}\n`);
  if (!args.config) {
    process.stderr.write(`tsrs: no config file, use -c FILE\n${HELP}`);
    process.exit(1);
  }
  let loaded;
  try {
    loaded = readConfigFile(args.config);
  } catch (err) {
    // The message is already `FILE:LINE: reason`.
    process.stderr.write(`tsrs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  for (const warning of loaded.warnings) process.stderr.write(`tsrs: warning: ${warning}\n`);
  if (args.test) {
    process.stdout.write(`tsrs: the config file ${args.config} syntax is ok\ntsrs: config file ${args.config} test is successful\n`);
    return;
  }
  if (loaded.config.daemon && !isDaemonChild()) {
    detachIntoDaemon(argv);
    process.stdout.write(`tsrs: started as a daemon (daemon on), see ${loaded.config.pid}\n`);
    return;
  }
  const server = new TsrsServer(args.config, loaded.config);
  installSignals(server);
  try {
    await server.start();
  } catch (err) {
    log.error(`start failed: ${describeError(err)}`);
    await server.close().catch(() => undefined);
    process.exit(1);
  }
}

function installSignals(server: TsrsServer): void {
  process.on('SIGHUP', () => void server.reload());
  process.on('SIGUSR1', () => server.reopenLog());
  process.on('SIGTERM', () => {
    log.trace('SIGTERM: graceful quit');
    void server.gracefulQuit().then(() => process.exit(0));
  });
  process.on('SIGINT', () => {
    log.trace('SIGINT: fast quit');
    void server.close().then(() => process.exit(0));
  });
  process.on('uncaughtException', (err) => {
    // A bug in one session must not take the server down with every other client.
    log.error(`uncaught exception (server keeps running): ${err.stack ?? err.message}`);
  });
  process.on('unhandledRejection', (reason) => {
    log.error(`unhandled rejection (server keeps running): ${describeError(reason)}`);
  });
}
