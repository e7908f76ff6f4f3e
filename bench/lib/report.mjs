// Markdown report: one table per scenario with the servers side by side,
// capacities, ratios against the reference server, and the run's context.

const REFERENCE = 'nginx-rtmp';

const fmt = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(digits));

function firstLine(s) {
  return String(s).split('\n')[0].slice(0, 120);
}

// One note per server and distinct reason keeps the report short when every step failed the same way.
function failureNotes(rows) {
  const byReason = new Map();
  for (const r of rows) {
    if (!r.failed) continue;
    const key = `${r.server}\u0000${r.failed.trim()}`;
    if (!byReason.has(key)) byReason.set(key, { server: r.server, reason: r.failed.trim(), ns: [] });
    if (r.n !== undefined) byReason.get(key).ns.push(r.n);
  }
  return [...byReason.values()].map(
    (f) => `- ${f.server}${f.ns.length ? ` at ${f.ns.join(', ')}` : ''}:\n\n\`\`\`\n${f.reason}\n\`\`\`\n`,
  );
}

// CPU of other programs (not the server, rtmp-load or this runner); above this the machine was busy with something else.
export const OTHER_LOAD_WARN_PCT = 15;

function otherCell(r) {
  if (r.otherPct === null || r.otherPct === undefined) return '–';
  return `${fmt(r.otherPct, 0)}${r.otherPct > OTHER_LOAD_WARN_PCT ? ' ⚠' : ''}`;
}

// For the rows flagged ⚠: who else was using the CPU.
function otherNotes(rows) {
  const notes = [];
  for (const r of sortRows(rows)) {
    if (!(r.otherPct > OTHER_LOAD_WARN_PCT)) continue;
    const top = (r.otherTop ?? []).map((o) => `${o.name} ${fmt(o.pct, 0)}%`).join(', ');
    notes.push(`- ⚠ ${r.server} at ${r.n}: ${top || 'short-lived processes'}`);
  }
  return notes.length ? ['', 'Other programs running during the flagged rows:', '', ...notes] : [];
}

function failuresCell(failures) {
  const parts = Object.entries(failures ?? {}).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : '';
}

/** Largest N whose row meets the bar; null when none does. */
export function capacity(rows, server, { okPct = 95, cpuPct = 95, maxLagMs = Infinity } = {}) {
  let best = null;
  for (const r of rows) {
    if (r.server !== server || r.failed || r.skipped || r.baseline || r.n === 0) continue;
    const keepsUp = r.okPct >= okPct && r.cpuPct !== null && r.cpuPct < cpuPct && !((r.maxLagMs ?? 0) >= maxLagMs);
    if (keepsUp && (best === null || r.n > best)) best = r.n;
  }
  return best;
}

/** The publishers bar: every publisher live, none held back a second, CPU < 95%. */
export const PUBLISHER_BAR = { okPct: 100, cpuPct: 95, maxLagMs: 1000 };

/** A capacity equal to the largest step that server ran is only a lower bound. */
function isLowerBound(rows, server, cap) {
  const ran = rows.filter((r) => r.server === server && !r.failed && !r.skipped && r.n > 0).map((r) => r.n);
  return cap !== null && cap === Math.max(...ran);
}

function serverOrder(rows) {
  return [...new Set(rows.map((r) => r.server))];
}

function ratioTable(rows, unit) {
  const servers = serverOrder(rows);
  if (!servers.includes(REFERENCE) || servers.length < 2) return [];
  const others = servers.filter((s) => s !== REFERENCE);
  const ns = [...new Set(rows.filter((r) => r.n > 0).map((r) => r.n))].sort((a, b) => a - b);
  const out = ['', `Ratios against ${REFERENCE} (below 1 means less than ${REFERENCE}):`, ''];
  out.push(`| ${unit} | ${others.map((s) => `${s} CPU | ${s} RSS`).join(' | ')} |`);
  out.push(`|---:|${others.map(() => '---:|---:').join('|')}|`);
  for (const n of ns) {
    const ref = rows.find((r) => r.server === REFERENCE && r.n === n && !r.failed && !r.skipped);
    const cells = others.map((s) => {
      const r = rows.find((x) => x.server === s && x.n === n && !x.failed && !x.skipped);
      const ratio = (a, b) => (a !== undefined && b && a !== null ? fmt(a / b, 2) : '–');
      return `${ratio(r?.cpuPct, ref?.cpuPct)} | ${ratio(r?.rssMb, ref?.rssMb)}`;
    });
    out.push(`| ${n} | ${cells.join(' | ')} |`);
  }
  return out;
}

function capacityLines(rows, what, bar = undefined, barText = `≥ 95% of players at ≥ 95% of the bitrate and CPU < 95%`) {
  const servers = serverOrder(rows);
  const caps = servers.map((s) => ({ s, cap: capacity(rows, s, bar), atLeast: isLowerBound(rows, s, capacity(rows, s, bar)) }));
  const lowest = Math.min(...rows.filter((r) => r.n > 0).map((r) => r.n));
  const show = (c) => (c.cap === null ? `< ${lowest}` : `${c.atLeast ? '≥ ' : ''}${c.cap}`);
  const out = [`Capacity (largest ${what} with ${barText}; ≥ when it is the largest step run): ${caps.map((c) => `${c.s} **${show(c)}**`).join(', ')}`];
  const ref = caps.find((c) => c.s === REFERENCE);
  for (const c of caps) {
    if (c.s === REFERENCE || !ref) continue;
    if (c.cap === null || ref.cap === null) continue;
    // A lower bound over an exact value is still a lower bound; over another bound it says nothing.
    const prefix = c.atLeast && !ref.atLeast ? '≥ ' : '';
    if (!ref.atLeast) out.push(`; ${c.s}/${REFERENCE} = **${prefix}${fmt(c.cap / ref.cap, 2)}**`);
    else out.push(`; ${c.s}/${REFERENCE}: not measured (${REFERENCE} kept up at every step)`);
  }
  return ['', out.join('')];
}

/** CPU per client from the largest step each server kept up at: a projection, labelled as one. */
function projectionLines(rows, unit, bar) {
  const servers = serverOrder(rows);
  const perClient = servers.map((s) => {
    const cap = capacity(rows, s, bar);
    const row = rows.find((r) => r.server === s && r.n === cap && !r.failed && !r.skipped);
    return { s, cost: row && row.cpuPct > 0 ? row.cpuPct / row.n : null };
  });
  const cells = perClient.filter((p) => p.cost !== null).map((p) => `${p.s} ${fmt(p.cost * 1000, 1)} (≈ ${fmt(95 / p.cost, 0)} ${unit} at 95%)`);
  if (!cells.length) return [];
  const ref = perClient.find((p) => p.s === REFERENCE && p.cost !== null);
  const ratios = ref ? perClient.filter((p) => p.s !== REFERENCE && p.cost !== null).map((p) => `; ${p.s}/${REFERENCE} = ${fmt(ref.cost / p.cost, 2)}`) : [];
  return ['', `CPU per 1000 ${unit} in % of a core, from each server's largest passing step, and the linear projection of capacity: ${cells.join(', ')}${ratios.join('')} (a projection, not a measurement).`];
}

function sortRows(rows) {
  const order = serverOrder(rows);
  return [...rows].sort((a, b) => (a.n ?? 0) - (b.n ?? 0) || order.indexOf(a.server) - order.indexOf(b.server));
}

export function playersSection(title, rows, intro) {
  const out = [`## ${title}`, '', intro, ''];
  if (!rows.length) return [...out, '_not run_', ''];
  out.push('| players | server | CPU % | RSS MB | RSS/player KB | players ≥ 95% bitrate | p5 kbit/s | core busy % | load CPU % | other % | client failures |');
  out.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of sortRows(rows)) {
    if (r.failed) out.push(`| ${r.n} | ${r.server} | **failed**: ${firstLine(r.failed)} | | | | | | | | |`);
    else if (r.skipped) out.push(`| ${r.n} | ${r.server} | skipped (${r.skipped}) | | | | | | | | |`);
    else if (r.baseline) out.push(`| 0 | ${r.server} | ${fmt(r.cpuPct)} | ${fmt(r.rssMb)} | (baseline: publisher only) | | | | | | |`);
    else
      out.push(
        `| ${r.n} | ${r.server} | ${fmt(r.cpuPct)} | ${fmt(r.rssMb)} | ${fmt(r.rssPerClientKb)} | ${fmt(r.okPct)}% | ${fmt(r.p5Kbps, 0)} | ${fmt(r.coreBusy, 0)} | ${fmt(r.loadCpu, 0)} | ${otherCell(r)} | ${failuresCell(r.failures)} |`,
      );
  }
  out.push(...capacityLines(rows, 'N'), ...otherNotes(rows), ...ratioTable(rows, 'players'), '', ...failureNotes(rows), '');
  return out;
}

export function publishersSection(rows) {
  const out = [
    '## Scenario 2: publishers (no players)',
    '',
    'M publishers, one 600 kbit/s stream each, sent by rtmp-load at real-time pace. "live" is the share of publishers that reached NetStream.Publish.Start and stayed connected; "max lag" is how far the slowest publisher fell behind its timestamps because the server stopped reading.',
    '',
  ];
  if (!rows.length) return [...out, '_not run_', ''];
  out.push('| publishers | server | CPU % | RSS MB | RSS/publisher KB | live | max lag ms | core busy % | load CPU % | other % | client failures |');
  out.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of sortRows(rows)) {
    if (r.failed) out.push(`| ${r.n} | ${r.server} | **failed**: ${firstLine(r.failed)} | | | | | | | | |`);
    else if (r.skipped) out.push(`| ${r.n} | ${r.server} | skipped (${r.skipped}) | | | | | | | | |`);
    else if (r.baseline) out.push(`| 0 | ${r.server} | ${fmt(r.cpuPct)} | ${fmt(r.rssMb)} | (baseline: idle) | | | | | | |`);
    else
      out.push(
        `| ${r.n} | ${r.server} | ${fmt(r.cpuPct)} | ${fmt(r.rssMb)} | ${fmt(r.rssPerClientKb)} | ${fmt(r.okPct)}% | ${r.maxLagMs} | ${fmt(r.coreBusy, 0)} | ${fmt(r.loadCpu, 0)} | ${otherCell(r)} | ${failuresCell(r.failures)} |`,
      );
  }
  out.push(
    ...capacityLines(rows, 'M', PUBLISHER_BAR, 'every publisher live, max lag < 1000 ms and CPU < 95%'),
    ...projectionLines(rows, 'publishers', PUBLISHER_BAR),
    ...otherNotes(rows),
    ...ratioTable(rows, 'publishers'),
    '',
    ...failureNotes(rows),
    '',
  );
  return out;
}

export function latencySection(rows) {
  const out = [
    '## Scenario 4: latency',
    '',
    'One publisher and one RTMP player inside the same rtmp-load: for each video message, the time from the publisher handing it to the kernel to the player having read all of it (matched by a hash of the payload, so servers may rewrite timestamps). The first 3 s of play (GOP cache burst) are left out.',
    '',
  ];
  if (!rows.length) return [...out, '_not run_', ''];
  out.push('| server / config | p50 ms | p99 ms | max ms | samples |');
  out.push('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.failed) out.push(`| ${r.server} | **failed**: ${firstLine(r.failed)} | | | |`);
    else out.push(`| ${r.server} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.max, 2)} | ${r.samples} |`);
  }
  out.push('', ...failureNotes(rows), '');
  return out;
}

export function headerSection(info) {
  return [
    `# tsrs benchmark ${info.when}${info.quick ? ' (quick smoke run: numbers are not meaningful)' : ''}`,
    '',
    `- Machine: ${info.cpuModel}, ${info.cores} CPUs, ${info.memGb} GB RAM, Linux ${info.kernel}`,
    `- Pinning: ${info.pinning}`,
    `- Open files: hard limit ${info.nofile} (servers run at it); a tsrs RTMP player holds two descriptors (its socket and the fan-out's duplicate, which libuv polls for writability), so tsrs serves at most about half this many RTMP players`,
    `- Versions: ${info.versions.join('; ')}`,
    `- Media: ${info.media}`,
    `- Steps: ${info.stepS} s each; receive-rate window ${info.windowS} s; a player keeps up when it received ≥ 95% of the media bytes the publisher sent in the window`,
    `- Command: \`${info.command}\``,
    ...(info.skipped.length ? [`- Not run: ${info.skipped.join('; ')}`] : []),
    `- Machine load before the run: ${info.background}`,
    '',
    `CPU % is utime+stime of the server process tree over the steady part of a step (100 = one core; the server is pinned to one core). RSS is the sum of VmRSS over the tree (nginx master + worker), the maximum seen in the steady part; RSS/player is its growth over the baseline divided by N. On loopback the receiving side runs part of the sender's TCP work (ACK processing and the transmits it triggers), so the load generator's CPU includes some of the server's kernel time: server CPU % is a lower bound, the same for every server. "core busy" is the whole server core: the server plus kernel work done there (softirq, socket freeing). "other" is the CPU of other programs (not the server, rtmp-load or the runner; kernel threads excluded), in % of one core: ⚠ above ${OTHER_LOAD_WARN_PCT}% means something else was running and the row is not trustworthy.`,
    '',
  ];
}

/** True when any row of any scenario failed (a server did not start, died, or the load generator failed). */
export function anyFailed(sections) {
  return sections.some((rows) => rows.some((r) => r.failed));
}
