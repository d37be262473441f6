/**
 * The event-flow explorer in a real browser: Debian's Chromium, driven headless by
 * playwright-core (which never downloads a browser of its own), against the running system.
 * Each test places an order from the page with a preset button and watches it flow until it
 * settles; the lanes, the events in them and their causes are read from the page, and a
 * screenshot is kept under test-results/ for a person to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pollUntil } from '../../local/demo';
import { DEADLINE_MS, apiUrl, call, placeOrder } from './api-client';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../test-results');
const FINAL = ['STOCK_RESERVED', 'CANCELLED'];

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the explorer's browser test needs Debian's Chromium (apt-get install chromium; .ci/run installs it)`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** The explorer, opened as a person would: the API's base URL, which redirects to the page. */
async function openExplorer(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${apiUrl()}/`);
  return { page, problems };
}

/**
 * Records, in the page, every status the summary shows from now on: a page that updates live
 * goes through more than one without being reloaded. (Page-side code as a string: this
 * project's TypeScript has no DOM types.)
 */
const RECORD_STATUSES = `(() => {
  const seen = (window.seenStatuses = []);
  const summary = document.getElementById('order-summary');
  new MutationObserver(() => {
    const status = summary.querySelector('[data-testid="order-status"]');
    if (status && seen[seen.length - 1] !== status.textContent) seen.push(status.textContent);
  }).observe(summary, { childList: true, subtree: true, characterData: true });
})()`;

async function recordStatuses(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(RECORD_STATUSES);
  return async () => (await page.evaluate('window.seenStatuses')) as string[];
}

/** Waits until the page says the chosen order has settled (final status, timeline quiet). */
async function untilSettled(page: Page): Promise<void> {
  await page.locator('[data-testid="live-badge"][data-live="false"]').waitFor({ timeout: DEADLINE_MS });
}

/** The events drawn, top to bottom, each with the lane it sits in. */
async function drawnEvents(page: Page): Promise<{ type: string; lane: string; cause: string; latency: string }[]> {
  return page.locator('[role="cell"] [data-testid="event"]').evaluateAll((cards) =>
    cards.map((card) => ({
      type: card.getAttribute('data-event-type') ?? '',
      lane: card.closest('[role="cell"]')?.getAttribute('data-lane') ?? '',
      cause: card.querySelector('[data-testid="cause"]')?.textContent ?? '',
      latency: card.querySelector('[data-testid="latency"]')?.textContent ?? '',
    })),
  );
}

describe('the event-flow explorer in Chromium', () => {
  it.each([
    {
      preset: 'Happy path',
      screenshot: 'explorer-happy.png',
      status: 'STOCK_RESERVED',
      events: [
        ['order.placed', 'order'],
        ['payment.approved', 'payment'],
        ['order.paid', 'order'],
        ['stock.reserved', 'inventory'],
      ],
    },
    {
      preset: 'Payment declined',
      screenshot: 'explorer-declined.png',
      status: 'CANCELLED',
      events: [
        ['order.placed', 'order'],
        ['payment.declined', 'payment'],
        ['order.cancelled', 'order'],
      ],
    },
    {
      preset: 'Out of stock',
      screenshot: 'explorer-out-of-stock.png',
      status: 'CANCELLED',
      events: [
        ['order.placed', 'order'],
        ['payment.approved', 'payment'],
        ['order.paid', 'order'],
        ['stock.reservation-failed', 'inventory'],
        ['order.cancelled', 'order'],
        ['payment.refunded', 'payment'],
      ],
    },
  ])('$preset: placed from the page, the order flows live across the lanes until it settles $status', async ({ preset, screenshot, status, events }) => {
    // given: the explorer, open
    const { page, problems } = await openExplorer();
    try {
      expect(new URL(page.url()).pathname).toBe('/explorer');
      for (const lane of ['Order', 'Event bus', 'Payment', 'Inventory']) {
        await expect(page.getByRole('columnheader', { name: new RegExp(`^${lane}`) }).count()).resolves.toBe(1);
      }
      const statuses = await recordStatuses(page);

      // when: a preset button is pressed
      await page.getByRole('button', { name: new RegExp(preset) }).click();
      await untilSettled(page);

      // then: the final status, reached live (without reloading the page)
      await expect(page.getByTestId('order-status').textContent()).resolves.toBe(status);
      const seen = await statuses();
      expect(seen.at(-1)).toBe(status);
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.slice(0, -1).every((s) => !FINAL.includes(s))).toBe(true);

      // and each expected event, in order, in the lane of the context that published it
      const drawn = await drawnEvents(page);
      expect(drawn.map(({ type, lane }) => [type, lane])).toEqual(events);
      // with what caused it (the first by the request) and the time since the step before
      expect(drawn[0]).toMatchObject({ cause: '← caused by a request', latency: 'start' });
      for (const [i, event] of drawn.entries()) {
        if (i === 0) continue;
        expect(event.latency).toMatch(/^\+-?\d+ ms$/);
        expect(event.cause).toMatch(/^← caused by [a-z.-]+$/);
      }
      expect(drawn[1]?.cause).toBe('← caused by order.placed');

      // and the order is in the list of recent orders, with the same status
      const orderId = (await page.getByTestId('order-id').textContent()) ?? '';
      const listed = page.locator(`[data-testid="order-item"][data-order-id="${orderId}"]`);
      await expect(listed.getAttribute('aria-current')).resolves.toBe('true');
      await expect(listed.locator('.status').textContent()).resolves.toBe(status);
      await expect(page.getByRole('status').textContent()).resolves.toContain(`is ${status}`);

      await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('shows an order chosen from the list, and follows a link to one', async () => {
    // given: an order placed through the API, not the page
    const placed = await placeOrder({ customerId: 'e2e-explorer-link', lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 4500 }] });
    const { page, problems } = await openExplorer();
    try {
      // when: it is chosen from the list (which refreshes by itself until it shows it)
      const item = page.locator(`[data-testid="order-item"][data-order-id="${placed.orderId}"]`);
      await item.waitFor({ timeout: DEADLINE_MS });
      await item.click();
      await untilSettled(page);
      // then
      await expect(page.getByTestId('order-id').textContent()).resolves.toBe(placed.orderId);
      expect(new URL(page.url()).hash).toBe(`#order=${placed.orderId}`);

      // when: the page is opened on that link
      await page.reload();
      await untilSettled(page);
      // then
      await expect(page.getByTestId('order-id').textContent()).resolves.toBe(placed.orderId);
      await expect(page.locator('[data-testid="event"]').count()).resolves.toBe(4);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);
});

describe('GET /orders (the explorer\'s list) end to end', () => {
  it('lists a just-placed order among the newest, in its current state', async () => {
    // given
    const placed = await placeOrder({ customerId: 'e2e-list', lines: [{ sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 }] });
    // when: the listing index is eventually consistent, so read until it is there
    const answer = await pollUntil(
      () => call<{ orders: { orderId: string; status: string }[] }>('GET', '/orders?limit=100'),
      (a) => a.status === 200 && a.body.orders.some((o) => o.orderId === placed.orderId),
      Date.now() + DEADLINE_MS,
      100,
    );
    // then
    const placedTimes = answer.body.orders.map((o) => (o as { placedAt?: string }).placedAt ?? '');
    expect([...placedTimes].sort().reverse()).toEqual(placedTimes);
  });

  it('answers 400 naming the field for a limit out of range', async () => {
    const answer = await call('GET', '/orders?limit=0');
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ field: 'limit', problem: 'must be a whole number from 1 to 100' }]);
  });
});
