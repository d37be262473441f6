/**
 * The explorer page as served: self-contained (nothing fetched from elsewhere), its inline
 * style and script admitted by the hashes of its Content-Security-Policy, its settings read
 * from the catalogue, and its preset orders the demo's own.
 */
import { createHash } from 'node:crypto';
import { catalogue, EVENT_TYPES } from '../../../lambdas/shared/events/catalogue';
import { EXPLORER_CONFIG, explorerPage, renderExplorerPage, type ExplorerConfig } from '../../../lambdas/order/infrastructure/explorer/page';
import { EXPLORER_PRESETS } from '../../../lambdas/order/infrastructure/explorer/presets';
import { DEMO_ORDERS } from '../../../local/demo';

const { html, headers } = explorerPage();
const inline = (tag: 'style' | 'script') => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] as string);
const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const configIn = (page: string): ExplorerConfig =>
  JSON.parse(/<script type="application\/json" id="explorer-config">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? 'null') as ExplorerConfig;

describe('the explorer page', () => {
  it('admits exactly its one inline style and one inline script, by hash, and connects to its own origin only', () => {
    // given
    const csp = headers['content-security-policy'] ?? '';
    const [style, ...otherStyles] = inline('style');
    const [script, ...otherScripts] = inline('script');
    // then
    expect(otherStyles).toEqual([]);
    expect(otherScripts).toEqual([]);
    expect(csp).toContain(`style-src ${hashOf(style ?? '')}`);
    expect(csp).toContain(`script-src ${hashOf(script ?? '')}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
  });

  it('loads nothing from another origin: no external script, style sheet, font or image', () => {
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
  });

  it('has a heading, the three preset buttons, the lanes and a live region for updates', () => {
    expect(html).toContain('<h1>Event-flow explorer</h1>');
    for (const lane of ['order', 'bus', 'payment', 'inventory']) expect(html).toContain(`data-testid="lane-${lane}"`);
    expect(html).toMatch(/role="status" aria-live="polite"/);
    expect(configIn(html).presets.map((p) => p.id)).toEqual(['happy', 'declined', 'out-of-stock']);
  });

  it('tells the script where the bus delivers each event: the catalogue\'s consumers', () => {
    const { consumers } = configIn(html);
    expect(Object.keys(consumers).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) expect(consumers[type]).toEqual(catalogue[type].consumers);
  });

  it('keeps order data from ending its settings block early, whatever strings it holds', () => {
    // given: a preset whose text holds markup
    const hostile = { ...EXPLORER_CONFIG, presets: [{ ...EXPLORER_PRESETS[0]!, description: '</script><script>alert(1)</script>' }] };
    // when
    const page = renderExplorerPage(hostile).html;
    // then
    expect(page).not.toContain('</script><script>alert(1)');
    expect(configIn(page).presets[0]?.description).toBe('</script><script>alert(1)</script>');
  });

  it('offers the demo\'s own orders: happy path, payment declined, out of stock', () => {
    const byName = (fragment: string) => DEMO_ORDERS.find((d) => d.name.startsWith(fragment))?.request;
    expect(EXPLORER_PRESETS.map((p) => p.request)).toEqual([byName('happy path'), byName('payment declined'), byName('out of stock')]);
  });

  it('serves HTML that is never sniffed as something else, and always revalidated', () => {
    expect(headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
  });
});
