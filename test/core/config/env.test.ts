import { describe, expect, it } from 'vitest';
import { loadConfigFromText, parseConfigText } from '../../../src/core/config/index.js';
import { substituteEnv } from '../../../src/core/config/env.js';
import { configErrorOf, noFiles } from './helpers.js';

const env = { PORT: '19351', HOST: 'media.example.com', EMPTY: '' };

describe('environment substitution', () => {
  it('replaces $VAR and ${VAR}, whole or inside an argument', () => {
    expect(substituteEnv('$PORT', env)).toBe('19351');
    expect(substituteEnv('${PORT}', env)).toBe('19351');
    expect(substituteEnv('rtmp://${HOST}:$PORT/live', env)).toBe('rtmp://media.example.com:19351/live');
    expect(substituteEnv('${HOST}x', env)).toBe('media.example.comx');
  });

  it('turns an unset variable into the empty string, as SRS srs_getenv', () => {
    expect(substituteEnv('$NOT_SET', env)).toBe('');
    expect(substituteEnv('a${NOT_SET}b', env)).toBe('ab');
    expect(substituteEnv('$EMPTY', env)).toBe('');
  });

  it('leaves a $ that starts no variable name alone', () => {
    expect(substituteEnv('cost $5', env)).toBe('cost $5');
    expect(substituteEnv('a$', env)).toBe('a$');
    expect(substituteEnv('${unclosed', env)).toBe('${unclosed');
    expect(substituteEnv('$$', env)).toBe('$$');
  });

  it('substitutes in double-quoted and bare arguments but not single-quoted ones', () => {
    const tree = parseConfigText(`a $PORT "$PORT" '$PORT';`, 't.conf', noFiles, { env });
    expect(tree[0]!.args).toEqual(['19351', '19351', '$PORT']);
  });

  it('reads ${VAR} in a bare word without taking its braces for a block', () => {
    const tree = parseConfigText('vhost ${HOST} { listen ${PORT}; x a${HOST}b; }', 't.conf', noFiles, { env });
    expect(tree[0]!.args).toEqual(['media.example.com']);
    expect(tree[0]!.children.map((d) => d.args)).toEqual([['19351'], ['amedia.example.comb']]);
  });

  it('does not substitute directive names', () => {
    expect(parseConfigText('$PORT 1;', 't.conf', noFiles, { env })[0]!.name).toBe('$PORT');
  });

  it('feeds the typed model: a listen port from the environment', () => {
    const { config } = loadConfigFromText('listen $PORT;', 't.conf', noFiles, { env });
    expect(config.listen).toEqual([{ host: '0.0.0.0', port: 19351 }]);
  });

  it('an unset variable where a port is needed is an invalid value naming the line', () => {
    expect(configErrorOf(() => loadConfigFromText('\nlisten $NOPE;', 't.conf', noFiles, { env }))).toBe(
      't.conf:2: invalid value "" for listen: expected a port 0-65535, HOST:PORT or [IPV6]:PORT',
    );
  });

  it('rtc candidate $CANDIDATE falls back to * when unset, as SRS', () => {
    const text = 'rtc_server { enabled on; candidate $CANDIDATE; }';
    expect(loadConfigFromText(text, 't.conf', noFiles, { env: {} }).config.rtc_server.candidate).toBe('*');
    expect(loadConfigFromText(text, 't.conf', noFiles, { env: { CANDIDATE: '192.168.3.4' } }).config.rtc_server.candidate).toBe('192.168.3.4');
  });

  it('uses process.env when no env is given', () => {
    process.env.TSRS_CONF_TEST_PORT = '19999';
    try {
      expect(parseConfigText('listen $TSRS_CONF_TEST_PORT;', 't.conf', noFiles)[0]!.args).toEqual(['19999']);
    } finally {
      delete process.env.TSRS_CONF_TEST_PORT;
    }
  });
});
