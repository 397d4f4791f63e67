// pgfly dashboard: polls /api/overview once a second and redraws. No framework, no innerHTML with data:
// every value from the API goes into the page as text.
"use strict";

const POLL_MS = 1000;
const HOUR_MS = 3600 * 1000;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function bytes(n) {
  if (n === null || n === undefined) return "-";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? Math.round(n) : n.toFixed(1)) + " " + units[i];
}

function time(ms) {
  return new Date(ms).toLocaleTimeString();
}

function table(headers, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...headers.map(h => el("th", {}, h)))),
    el("tbody", {}, ...rows));
}

function members(c) {
  const nodes = c.members.some(m => m.node && m.node !== "local");
  const headers = ["member", "role", "state", "lag", "checks", "host"];
  if (nodes) headers.push("node");
  return table(headers, c.members.map(m => {
    const lag = m.role === "replica" ? bytes(m.lag_bytes) + " / " + (m.lag_seconds || 0).toFixed(1) + " s" : "-";
    const state = m.detail ? m.state + ": " + m.detail : m.state;
    const cells = [
      el("td", {}, m.name),
      el("td", {class: "role-" + m.role, "data-role-of": m.name}, m.role || "-"),
      el("td", {class: m.state}, state),
      el("td", {}, lag),
      el("td", {class: m.checks || ""}, m.checks || "…"),
      el("td", {}, m.host + ":" + m.port),
    ];
    if (nodes) cells.push(el("td", {}, m.node || "-"));
    return el("tr", {"data-member": m.name}, ...cells);
  }));
}

// A proxy's or cluster's fields about a connection pooler ("pooled_url", "pooler": {...}), shown only where the
// status JSON carries them: the pooler is optional, and a node without one sends none.
function pooled(obj) {
  const out = [];
  for (const [k, v] of Object.entries(obj || {})) {
    if (!k.startsWith("pool") || v === null || v === undefined) continue;
    if (typeof v === "object") {
      for (const [kk, vv] of Object.entries(v)) {
        if (vv !== null && vv !== undefined && typeof vv !== "object") out.push([k.replaceAll("_", " ") + " " + kk.replaceAll("_", " "), String(vv)]);
      }
    } else {
      out.push([k.replaceAll("_", " "), String(v)]);
    }
  }
  return out;
}

// The proxies (one per region with members), then the pooled URLs when there are any.
function proxies(c) {
  const list = c.proxies && c.proxies.length ? c.proxies : (c.proxy ? [c.proxy] : []);
  const poolFields = list.flatMap(p => pooled(p).map(([k]) => k)).filter((k, i, all) => all.indexOf(k) === i);
  const headers = ["region", "primary", "replicas", ...poolFields, "metrics"];
  const rows = list.map(p => {
    const mine = Object.fromEntries(pooled(p));
    return el("tr", {}, el("td", {}, p.region || c.primary_region || "-"), el("td", {}, p.primary), el("td", {}, p.replica),
      ...poolFields.map(k => el("td", {}, mine[k] || "-")), el("td", {}, p.metrics || "-"));
  });
  const box = el("div", {}, table(headers, rows));
  for (const [k, v] of pooled(c)) {
    box.append(el("div", {class: "pooled"}, el("b", {}, k + ": "), v));
  }
  return box;
}

function events(list) {
  if (!list.length) return el("p", {class: "muted"}, "No events yet.");
  // The store gives the newest last; the timeline reads newest first.
  return el("ul", {class: "events"}, ...[...list].reverse().map(e => el("li", {},
    el("span", {class: "muted"}, new Date(e.time).toLocaleString()),
    el("span", {class: "kind"}, e.kind),
    e.member ? e.member + " " : "", el("span", {class: "muted"}, "term " + e.term + (e.reason ? " · " + e.reason : "")))));
}

function backups(b, c) {
  if (!b) return el("p", {class: "muted"}, "Not read yet.");
  if (!b.configured) return el("p", {class: "muted"}, "Backups are not set up (pgfly backup config NAME).");
  const a = b.archiver;
  const rows = [
    ["store", b.store], ["schedule", b.schedule], ["retention", b.retention],
    ["snapshots", b.snapshots + (b.newest_snapshot ? " (newest " + b.newest_snapshot + ", " + b.newest_snapshot_time + ")" : "")],
    ["WAL archiving", a ? (b.archiving_failing ? "FAILING: last failure " + a.last_failed_wal + " at " + a.last_failed_time
      : a.archived_count + " archived, last " + (a.last_archived_wal || "-") + (a.last_archived_time ? " at " + a.last_archived_time : ""))
      : c.idle_timeout_seconds > 0 ? "not asked (a scale-to-zero cluster: pgfly backup status NAME)" : "primary not reachable"],
  ];
  if (b.error) rows.push(["error", b.error]);
  return table(["", ""], rows.map(([k, v]) => el("tr", {}, el("td", {}, k),
    el("td", {class: k === "WAL archiving" && b.archiving_failing ? "failing" : ""}, v))));
}

// A line chart of the last hour, drawn as inline SVG: x is time, y from 0 to the largest value shown.
function chart(points, now, value, format, title) {
  const w = 600, h = 120, left = 4, top = 14, bottom = 14;
  const s = svg("svg", {class: "chart", viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: "none", role: "img"});
  const known = points.filter(p => value(p) !== null && value(p) !== undefined);
  const largest = known.length ? Math.max(...known.map(value)) : null;
  // the scale's top: the largest value shown, or 1 when all are 0 (a flat line along the bottom)
  const max = largest > 0 ? largest : 1;
  const label = svg("text", {x: left, y: 11});
  label.textContent = title + ": now " + (known.length ? format(value(known[known.length - 1])) : "-")
    + ", max " + (largest === null ? "-" : format(largest)) + " (last hour)";
  s.append(label);
  const end = svg("text", {x: w - 4, y: h - 3, "text-anchor": "end"});
  end.textContent = "now";
  const start = svg("text", {x: left, y: h - 3});
  start.textContent = "-60 min";
  s.append(start, end);
  const x = t => left + (w - 2 * left) * (1 - (now - t) / HOUR_MS);
  const y = v => top + (h - top - bottom) * (1 - v / max);
  if (known.length > 0) {
    s.append(svg("polyline", {points: known.map(p => x(p.at_millis).toFixed(1) + "," + y(value(p)).toFixed(1)).join(" ")}));
  }
  return s;
}

function cluster(entry, now) {
  const c = entry.cluster;
  const summary = el("div", {class: "summary"},
    el("b", {}, c.config), " · ", el("span", {class: c.state}, c.state), " · term ", c.term, " · primary ",
    el("b", {class: "role-primary", "data-primary-of": c.name}, c.leader || "none"),
    " · region ", c.primary_region, c.synchronous ? " · synchronous replication" : "", c.tls ? " · TLS" : "");
  const s = el("section", {class: "cluster", "data-cluster": c.name}, el("h2", {}, c.name), summary);
  if (c.paused) s.append(el("p", {class: "warn"}, "Paused: " + c.paused));
  if (c.host_risk) s.append(el("p", {class: "warn"}, "Warning: " + c.host_risk));
  s.append(el("h3", {}, "Members"), members(c));
  if (entry.failing_checks && entry.failing_checks.length) {
    s.append(el("ul", {}, ...entry.failing_checks.map(f => el("li", {class: "warning"}, f))));
  }
  const grid = el("div", {class: "grid"});
  grid.append(el("div", {}, el("h3", {}, "Proxies"), proxies(c)));
  grid.append(el("div", {}, el("h3", {}, "Backups"), backups(entry.backups, c)));
  grid.append(el("div", {}, el("h3", {}, "Write throughput"),
    chart(entry.points, now, p => p.write_bytes_per_second, v => bytes(v) + "/s", "WAL written")));
  grid.append(el("div", {}, el("h3", {}, "Replication lag"),
    chart(entry.points, now, p => p.lag_bytes, bytes, "worst replica lag"),
    chart(entry.points, now, p => p.lag_seconds, v => v.toFixed(1) + " s", "worst replay delay")));
  grid.append(el("div", {}, el("h3", {}, "Events"), events(entry.events)));
  s.append(grid);
  return s;
}

// ?cluster=NAME (from `pgfly dashboard NAME --url`) shows that cluster alone.
const ONLY = new URLSearchParams(location.search).get("cluster");

function render(data) {
  document.getElementById("node").textContent = "node " + data.node;
  document.getElementById("login").hidden = true;
  const shown = ONLY ? data.clusters.filter(e => e.cluster.name === ONLY) : data.clusters;
  document.getElementById("empty").hidden = shown.length > 0;
  const fresh = document.getElementById("freshness");
  fresh.textContent = "updated " + time(data.now);
  fresh.className = "muted";
  // Redrawn whole each second; a timeline scrolled back stays where its reader left it.
  const scrolled = {};
  document.querySelectorAll("section.cluster").forEach(s => {
    const list = s.querySelector("ul.events");
    if (list) scrolled[s.dataset.cluster] = list.scrollTop;
  });
  document.getElementById("clusters").replaceChildren(...shown.map(e => cluster(e, data.now)));
  document.querySelectorAll("section.cluster").forEach(s => {
    const list = s.querySelector("ul.events");
    if (list && scrolled[s.dataset.cluster]) list.scrollTop = scrolled[s.dataset.cluster];
  });
}

async function poll() {
  try {
    const r = await fetch("api/overview", {credentials: "same-origin", cache: "no-store"});
    if (r.status === 401) {
      document.getElementById("login").hidden = false;
      document.getElementById("freshness").textContent = "not logged in";
    } else if (r.ok) {
      render(await r.json());
    } else {
      throw new Error("HTTP " + r.status);
    }
  } catch (e) {
    const fresh = document.getElementById("freshness");
    fresh.textContent = "node not answering (" + e.message + "), retrying";
    fresh.className = "stale";
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
