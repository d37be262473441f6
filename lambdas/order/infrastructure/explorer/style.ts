/**
 * The explorer's style sheet, inlined into the page (no external file, font or CDN: the page
 * works offline and under a strict Content-Security-Policy that allows this sheet by its hash).
 * The timeline is a sequence diagram: one column per lane with a dashed lifeline, one row per
 * event, the event's card in its producer's lane and a wire through the bus to its consumers.
 */
export const EXPLORER_STYLE = `
:root {
  --bg: #f4f6fa; --panel: #ffffff; --ink: #1b2232; --muted: #5d6679; --line: #dde2ec; --soft: #f7f8fb;
  --order: #4f46e5; --payment: #0d8a7c; --inventory: #c2410c; --bus: #64748b;
  --placed: #2563eb; --paid: #b45309; --reserved: #15803d; --cancelled: #b91c1c;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
body {
  margin: 0; color: var(--ink); background: var(--bg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 18px; padding: 14px 24px; background: #111827; color: #f9fafb; }
.top h1 { margin: 0; font-size: 18px; letter-spacing: .01em; }
.top p { margin: 0; color: #cbd5e1; font-size: 13px; }
.layout { display: grid; grid-template-columns: 330px minmax(0, 1fr); gap: 20px; padding: 20px 24px; align-items: start; }
@media (max-width: 900px) { .layout { grid-template-columns: minmax(0, 1fr); } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px; box-shadow: 0 1px 2px rgba(16, 24, 40, .05); }
.panel + .panel { margin-top: 16px; }
h2 { margin: 0 0 10px; font-size: 15px; }
.hint { margin: 0 0 12px; color: var(--muted); font-size: 12.5px; }
button { font: inherit; color: inherit; }
button:focus-visible { outline: 3px solid #93c5fd; outline-offset: 1px; }

.presets { display: grid; gap: 8px; margin: 0; padding: 0; list-style: none; }
.preset {
  width: 100%; text-align: left; cursor: pointer; background: #fff; border: 1px solid var(--line);
  border-left: 4px solid var(--accent, var(--order)); border-radius: 8px; padding: 8px 12px;
}
.preset:hover { background: var(--soft); border-color: #b6bfd0; border-left-color: var(--accent, var(--order)); }
.preset[aria-busy="true"] { opacity: .6; cursor: progress; }
.preset strong { display: block; font-size: 13.5px; }
.preset span { display: block; color: var(--muted); font-size: 12px; }
.preset[data-preset="happy"] { --accent: var(--reserved); }
.preset[data-preset="declined"] { --accent: var(--cancelled); }
.preset[data-preset="out-of-stock"] { --accent: var(--paid); }

.orders { margin: 0; padding: 0; list-style: none; display: grid; gap: 4px; max-height: 60vh; overflow-y: auto; }
.order-item {
  width: 100%; display: grid; grid-template-columns: 132px minmax(0, 1fr) auto; gap: 2px 10px; align-items: center;
  text-align: left; cursor: pointer; background: transparent; border: 1px solid transparent; border-radius: 8px; padding: 6px 8px;
}
.order-item:hover { background: var(--soft); border-color: var(--line); }
.order-item[aria-current="true"] { background: #eef2ff; border-color: #c7d2fe; }
.order-item .who { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.order-item .oid { font-family: var(--mono); font-size: 12px; color: var(--muted); }
.order-item .money { font-variant-numeric: tabular-nums; text-align: right; }
.order-item time { grid-column: 2 / 4; color: var(--muted); font-size: 12px; }
.empty { color: var(--muted); font-size: 13px; margin: 4px 0; }

.status {
  display: inline-block; min-width: 0; padding: 2px 8px; border-radius: 999px; text-align: center;
  color: #fff; background: var(--muted); font-size: 11px; font-weight: 650; letter-spacing: .03em;
}
.status[data-status="PLACED"] { background: var(--placed); }
.status[data-status="PAID"] { background: var(--paid); }
.status[data-status="STOCK_RESERVED"] { background: var(--reserved); }
.status[data-status="CANCELLED"] { background: var(--cancelled); }

.summary { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; margin-bottom: 6px; }
.summary code { font-family: var(--mono); font-size: 12.5px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 1px 6px; }
.summary .facts { color: var(--muted); }
.live-badge { margin-left: auto; font-size: 12px; font-weight: 600; color: var(--muted); }
.live-badge[data-live="true"] { color: var(--reserved); }
.live-badge[data-live="true"]::before { content: "\\25CF  "; animation: blink 1s steps(2, start) infinite; }
.live-badge[data-live="false"]::before { content: "\\2713  "; }
@keyframes blink { to { visibility: hidden; } }
.error { margin: 0 0 10px; padding: 8px 12px; border-radius: 8px; background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; }
.error:empty { display: none; }
.announce { margin: 0 0 10px; color: var(--muted); font-size: 12.5px; min-height: 1.2em; }

.timeline { border: 1px solid var(--line); border-radius: 10px; overflow: hidden; background: #fff; }
.lanes, .step { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); }
.lanes > div {
  grid-row: 1; padding: 9px 8px 8px; text-align: center; font-weight: 650; background: var(--soft);
  border-bottom: 1px solid var(--line); border-top: 3px solid var(--lane);
}
.lanes small { display: block; font-weight: 400; color: var(--muted); font-size: 11.5px; }
[data-lane="order"] { --lane: var(--order); }
[data-lane="payment"] { --lane: var(--payment); }
[data-lane="inventory"] { --lane: var(--inventory); }
[data-lane="bus"] { --lane: var(--bus); }
.step[data-from="order"] { --wire: var(--order); }
.step[data-from="payment"] { --wire: var(--payment); }
.step[data-from="inventory"] { --wire: var(--inventory); }
.step > [role="cell"] {
  grid-row: 1; position: relative; display: flex; align-items: center; justify-content: center;
  min-height: 92px; padding: 8px 10px;
}
.step > [role="cell"]::before {
  content: ""; position: absolute; top: 0; bottom: 0; left: 50%; border-left: 2px dashed #dfe4ee; z-index: 0;
}
.step > [data-lane="bus"]::before { border-left: 10px solid #eef1f6; margin-left: -4px; }
.wire { grid-row: 1; align-self: center; height: 2px; background: var(--wire, var(--bus)); position: relative; z-index: 1; pointer-events: none; }
.arrowhead {
  position: relative; z-index: 2; width: 0; height: 0; border-top: 7px solid transparent; border-bottom: 7px solid transparent;
}
.arrowhead[data-dir="right"] { border-left: 11px solid var(--wire); margin-left: -11px; }
.arrowhead[data-dir="left"] { border-right: 11px solid var(--wire); margin-right: -11px; }
.card {
  position: relative; z-index: 2; width: 100%; max-width: 240px; background: #fff; border: 1px solid var(--line);
  border-left: 4px solid var(--lane); border-radius: 8px; padding: 6px 10px; box-shadow: 0 1px 3px rgba(16, 24, 40, .09);
}
.card .type { display: block; font-family: var(--mono); font-size: 13px; font-weight: 700; color: var(--lane); }
.card .when { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 8px; font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.card .latency { font-weight: 650; color: var(--ink); white-space: nowrap; }
.card .cause, .card .detail { margin: 0; font-size: 12px; color: var(--muted); }
.card .cause { overflow-wrap: anywhere; }
.card .detail { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.card.fresh { animation: arrive .9s ease-out; }
@keyframes arrive { from { background: #fef9c3; transform: translateY(-4px); } to { background: #fff; transform: none; } }
.topic {
  position: relative; z-index: 2; max-width: 100%; text-align: center; background: #f1f5f9; border: 1px solid #cbd5e1;
  border-radius: 10px; padding: 3px 10px; font-size: 11.5px; color: var(--muted);
}
.topic code { display: block; font-family: var(--mono); font-size: 12px; color: var(--ink); }
.placeholder { padding: 36px 16px; text-align: center; color: var(--muted); }
.footnote { margin: 10px 2px 0; color: var(--muted); font-size: 12px; }
@media (prefers-reduced-motion: reduce) { .card.fresh, .live-badge[data-live="true"]::before { animation: none; } }
`;
