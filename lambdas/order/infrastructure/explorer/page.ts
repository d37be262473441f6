/**
 * The event-flow explorer: one self-contained HTML page (style and script inline, nothing
 * fetched from elsewhere) that the Order API function serves at `GET /explorer`. It lists
 * recent orders, places the three preset orders, and draws a chosen order's timeline as a
 * sequence across the Order, Payment and Inventory lanes and the bus, live while it flows.
 *
 * Served by the API function itself, the page shares the API's origin wherever the stack
 * runs (the local cloud's HTTP bridge, API Gateway), so it needs no CORS and no hosting of its
 * own. Its Content-Security-Policy admits only this inline style and script, by hash, and
 * only connections to its own origin.
 */
import { createHash } from 'node:crypto';
import { catalogue, EVENT_TYPES, type ContextName, type EventType } from '../../../shared/events/catalogue';
import type { OrderStatus } from '../../domain/order';
import { EXPLORER_PRESETS, type ExplorerPreset } from './presets';
import { EXPLORER_SCRIPT } from './script';
import { EXPLORER_STYLE } from './style';

/** The lanes, left to right: Order first, the bus between it and the contexts it talks to. */
export const EXPLORER_LANES = [
  { id: 'order', label: 'Order', note: 'orders, HTTP API' },
  { id: 'bus', label: 'Event bus', note: 'SNS topics, SQS queues' },
  { id: 'payment', label: 'Payment', note: 'simulated' },
  { id: 'inventory', label: 'Inventory', note: 'simulated' },
] as const satisfies readonly { id: ContextName | 'bus'; label: string; note: string }[];

/** What the page's script reads from `#explorer-config`. */
export interface ExplorerConfig {
  readonly lanes: readonly { readonly id: string; readonly label: string }[];
  /** Each event type's consuming contexts, from the catalogue: where the bus delivers it. */
  readonly consumers: Readonly<Record<EventType, readonly ContextName[]>>;
  readonly presets: readonly ExplorerPreset[];
  /** Statuses after which an order changes no more; polling stops once its timeline is quiet too. */
  readonly finalStatuses: readonly OrderStatus[];
  /** How often the chosen order and its timeline are read while in flight. */
  readonly pollMs: number;
  /** How many unchanged reads of a final order mean its timeline has settled (late refunds come after the status). */
  readonly settleQuietPolls: number;
  readonly listRefreshMs: number;
  readonly listLimit: number;
}

export const EXPLORER_CONFIG: ExplorerConfig = {
  lanes: EXPLORER_LANES.map(({ id, label }) => ({ id, label })),
  consumers: Object.fromEntries(EVENT_TYPES.map((type) => [type, catalogue[type].consumers])) as Record<EventType, readonly ContextName[]>,
  presets: EXPLORER_PRESETS,
  finalStatuses: ['STOCK_RESERVED', 'CANCELLED'],
  pollMs: 500,
  settleQuietPolls: 4,
  listRefreshMs: 2000,
  listLimit: 20,
};

export interface ExplorerPage {
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The page and the headers it is served with. */
export function renderExplorerPage(config: ExplorerConfig = EXPLORER_CONFIG): ExplorerPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Event-flow explorer · Event-driven orders</title>
<link rel="icon" href="data:,">
<style>${EXPLORER_STYLE}</style>
</head>
<body>
<header class="top">
  <h1>Event-flow explorer</h1>
  <p>Orders flowing between the Order, Payment and Inventory contexts through events, read live from the Order API.</p>
</header>
<div class="layout">
  <aside>
    <section class="panel" aria-labelledby="place-heading">
      <h2 id="place-heading">Place an order</h2>
      <p class="hint">Each button places one order through <code>POST /orders</code>; then watch it flow.</p>
      <ul class="presets" id="presets"></ul>
    </section>
    <section class="panel" aria-labelledby="orders-heading">
      <h2 id="orders-heading">Recent orders</h2>
      <p class="hint">Newest first, refreshed every ${config.listRefreshMs / 1000} s. Choose one to see its timeline.</p>
      <ul class="orders" id="orders" data-testid="orders" aria-labelledby="orders-heading"></ul>
      <p class="empty" id="orders-empty">No orders yet: place one.</p>
    </section>
  </aside>
  <main class="panel" aria-labelledby="timeline-heading">
    <h2 id="timeline-heading">Timeline</h2>
    <p class="error" id="error" role="alert"></p>
    <div class="summary" id="order-summary" data-testid="order-summary"></div>
    <p class="announce" id="announce" role="status" aria-live="polite"></p>
    <div class="timeline" id="timeline" role="table" data-testid="timeline" aria-label="Events of the chosen order, one row per event, in the lane of the context that published it">
      <div role="rowgroup">
        <div class="lanes" role="row">
${EXPLORER_LANES.map(
  (lane) =>
    `          <div role="columnheader" data-lane="${lane.id}" data-testid="lane-${lane.id}">${lane.label}<small>${lane.note}</small></div>`,
).join('\n')}
        </div>
      </div>
      <div role="rowgroup" id="steps"></div>
    </div>
    <p class="placeholder" id="placeholder">Place an order, or choose one from the list, to watch its events cross the contexts.</p>
    <p class="footnote" id="footnote"></p>
    <p class="footnote">Each card is an event in the lane of the context that published it, with its time, the time since the step before, and the event that caused it. The bus column names the event's topic and who receives it.</p>
  </main>
</div>
<script type="application/json" id="explorer-config">${jsonForScript(config)}</script>
<script>${EXPLORER_SCRIPT}</script>
</body>
</html>
`;
  return { html, headers: pageHeaders(EXPLORER_STYLE, EXPLORER_SCRIPT) };
}

let rendered: ExplorerPage | undefined;

/**
 * Rendered once per container, on the first request for it: it depends on nothing but this
 * code, and a cold start of the API for an order should not pay for rendering and hashing it.
 */
export function explorerPage(): ExplorerPage {
  rendered ??= renderExplorerPage();
  return rendered;
}

function pageHeaders(style: string, script: string): Record<string, string> {
  const csp = [
    "default-src 'none'",
    `style-src '${sha256(style)}'`,
    `script-src '${sha256(script)}'`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Small and rebuilt with every deploy: always revalidate rather than risk a stale page.
    'cache-control': 'no-cache',
  };
}

/** A CSP source for an inline element: the hash of its exact text. */
function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/** JSON that cannot end its `<script>` element early, whatever strings it holds. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
