/**
 * The explorer's browser script, inlined into the page and allowed by its hash. Plain
 * JavaScript for any current browser: no framework, no build step, nothing fetched but the
 * Order API on the page's own origin. Everything shown is built with DOM nodes and
 * `textContent`, never HTML strings, so no order data can inject markup.
 *
 * It reads its settings (lanes, the catalogue's consumers, presets, timings) from the JSON
 * block `#explorer-config` that the server renders into the page.
 *
 * Kept free of backticks and dollar-brace so that it can live in this template literal.
 */
export const EXPLORER_SCRIPT = String.raw`
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('explorer-config').textContent);
  var base = new URL('./', location.href);
  var laneIndex = {};
  config.lanes.forEach(function (lane, i) { laneIndex[lane.id] = i; });
  var laneLabel = {};
  config.lanes.forEach(function (lane) { laneLabel[lane.id] = lane.label; });
  var BUS = laneIndex.bus;

  var $ = function (id) { return document.getElementById(id); };
  var view = {
    presets: $('presets'), orders: $('orders'), ordersEmpty: $('orders-empty'), error: $('error'),
    announce: $('announce'), summary: $('order-summary'), timeline: $('timeline'), steps: $('steps'),
    placeholder: $('placeholder'), footnote: $('footnote')
  };

  var state = {
    orders: [], listSignature: '', selected: null, order: null, events: [], seen: {},
    signature: '', quiet: 0, generation: 0, timer: 0, live: false, shown: false
  };

  // ----- small helpers ---------------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === undefined || value === null) return;
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else node.setAttribute(name, value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function pad(n, width) { return String(n).padStart(width || 2, '0'); }

  /** Local wall-clock time to the millisecond: what a person compares across lanes. */
  function clock(iso) {
    var d = new Date(iso);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }

  function money(cents, currency) {
    return (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' ' + (currency || '');
  }

  function shortId(id) { return String(id).slice(0, 8); }

  function statusBadge(status, testId) {
    return el('span', { class: 'status', 'data-status': status, 'data-testid': testId, text: status });
  }

  async function api(method, path, body) {
    var response = await fetch(new URL(path, base), {
      method: method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store'
    });
    var text = await response.text();
    var json = text ? JSON.parse(text) : null;
    if (!response.ok) {
      var error = new Error(method + ' /' + path + ' answered ' + response.status + (json && json.message ? ': ' + json.message : ''));
      error.status = response.status;
      throw error;
    }
    return json;
  }

  function showError(error) { view.error.textContent = error ? String(error.message || error) : ''; }

  // ----- placing an order ------------------------------------------------------------------

  function renderPresets() {
    config.presets.forEach(function (preset) {
      var button = el('button', { type: 'button', class: 'preset', 'data-preset': preset.id, 'data-testid': 'place-' + preset.id }, [
        el('strong', { text: preset.label }),
        el('span', { text: preset.description })
      ]);
      button.addEventListener('click', function () { place(preset, button); });
      view.presets.appendChild(el('li', {}, [button]));
    });
  }

  async function place(preset, button) {
    button.setAttribute('aria-busy', 'true');
    button.disabled = true;
    try {
      var order = await api('POST', 'orders', preset.request);
      showError(null);
      upsertOrder(order);
      select(order.orderId, order);
      refreshList();
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  // ----- the list of recent orders ---------------------------------------------------------

  async function refreshList() {
    try {
      var answer = await api('GET', 'orders?limit=' + config.listLimit);
      state.orders = answer.orders;
      if (state.order) upsertOrder(state.order);
      renderList();
    } catch (error) {
      showError(error);
    }
  }

  /** The selected order stays listed, and current, even before the listing index has it. */
  function upsertOrder(order) {
    var at = state.orders.findIndex(function (o) { return o.orderId === order.orderId; });
    if (at >= 0) state.orders[at] = order;
    else state.orders.unshift(order);
  }

  function renderList() {
    var signature = state.selected + '|' + state.orders.map(function (o) { return o.orderId + ':' + o.status; }).join(',');
    if (signature === state.listSignature) return;
    state.listSignature = signature;
    var focused = document.activeElement && document.activeElement.getAttribute('data-order-id');
    view.orders.replaceChildren.apply(view.orders, state.orders.map(orderItem));
    view.ordersEmpty.hidden = state.orders.length > 0;
    if (focused) {
      var again = view.orders.querySelector('[data-order-id="' + CSS.escape(focused) + '"]');
      if (again) again.focus();
    }
  }

  function orderItem(order) {
    var button = el('button', {
      type: 'button', class: 'order-item', 'data-testid': 'order-item', 'data-order-id': order.orderId,
      'aria-current': order.orderId === state.selected ? 'true' : 'false',
      'aria-label': 'Order ' + shortId(order.orderId) + ' of ' + order.customerId + ', ' + order.status
    }, [
      statusBadge(order.status),
      el('span', { class: 'who', text: order.customerId }),
      el('span', { class: 'money', text: money(order.total, order.currency) }),
      el('span', { class: 'oid', text: shortId(order.orderId) }),
      el('time', { datetime: order.placedAt, text: 'placed ' + clock(order.placedAt) })
    ]);
    button.addEventListener('click', function () { select(order.orderId, order); });
    return el('li', {}, [button]);
  }

  // ----- the selected order, live ----------------------------------------------------------

  function select(orderId, knownOrder) {
    clearTimeout(state.timer);
    state.generation += 1;
    state.selected = orderId;
    state.order = knownOrder || null;
    state.events = [];
    state.seen = {};
    state.signature = '';
    state.quiet = 0;
    state.live = true;
    state.shown = false;
    view.steps.replaceChildren();
    view.footnote.textContent = '';
    history.replaceState(null, '', '#order=' + encodeURIComponent(orderId));
    if (knownOrder) renderOrder(knownOrder, []);
    renderList();
    poll(state.generation);
  }

  /**
   * Reads the order and its timeline every pollMs until the order is final and its timeline
   * has not changed for settleQuietPolls reads: late events (a refund after a cancellation)
   * still arrive after the status is final.
   */
  async function poll(generation) {
    if (generation !== state.generation) return;
    var id = encodeURIComponent(state.selected);
    try {
      var answers = await Promise.all([api('GET', 'orders/' + id), api('GET', 'orders/' + id + '/events')]);
      if (generation !== state.generation) return;
      showError(null);
      var order = answers[0];
      var events = answers[1].events;
      var signature = order.status + '|' + events.map(function (e) { return e.id; }).join(',');
      if (signature !== state.signature) {
        state.signature = signature;
        state.quiet = 0;
        upsertOrder(order);
        renderList();
        renderOrder(order, events);
        announce(order, events);
      } else {
        state.quiet += 1;
      }
      if (config.finalStatuses.indexOf(order.status) >= 0 && state.quiet >= config.settleQuietPolls) {
        setLive(false, order, events);
        return;
      }
      setLive(true, order, events);
    } catch (error) {
      if (generation !== state.generation) return;
      showError(error);
      if (error.status === 404) return;
    }
    state.timer = setTimeout(function () { poll(generation); }, config.pollMs);
  }

  function setLive(live, order, events) {
    state.live = live;
    var badge = document.querySelector('[data-testid="live-badge"]');
    if (!badge) return;
    badge.setAttribute('data-live', live ? 'true' : 'false');
    badge.textContent = live ? 'live' : 'settled';
    if (!live) {
      var first = events[0];
      var last = events[events.length - 1];
      var took = first && last ? Date.parse(last.occurredAt) - Date.parse(first.occurredAt) : 0;
      view.footnote.textContent = 'Settled as ' + order.status + ': ' + events.length + ' events in ' + took + ' ms, from the first to the last.';
    }
  }

  function announce(order, events) {
    var last = events[events.length - 1];
    view.announce.textContent = 'Order ' + shortId(order.orderId) + ' is ' + order.status + ': ' + events.length +
      (events.length === 1 ? ' event' : ' events') + (last ? ', latest ' + last.type + ' from ' + laneLabel[last.context] : '') + '.';
  }

  function renderOrder(order, events) {
    state.order = order;
    view.placeholder.hidden = true;
    view.timeline.setAttribute('aria-label', 'Events of order ' + order.orderId + ', one row per event, in the lane of the context that published it');
    var facts = order.customerId + ' \u00b7 ' + money(order.total, order.currency) + ' \u00b7 placed ' + clock(order.placedAt) +
      (order.cancellationReason ? ' \u00b7 ' + order.cancellationReason : '');
    view.summary.replaceChildren(
      el('span', {}, ['Order ', el('code', { 'data-testid': 'order-id', text: order.orderId })]),
      statusBadge(order.status, 'order-status'),
      el('span', { class: 'facts', text: facts }),
      el('span', { class: 'live-badge', 'data-testid': 'live-badge', 'data-live': state.live ? 'true' : 'false', text: state.live ? 'live' : '' })
    );
    renderSteps(events);
  }

  /** Events that arrive while watching are highlighted; those already there when selected are not. */
  function renderSteps(events) {
    var byId = {};
    events.forEach(function (e) { byId[e.id] = e; });
    var rows = events.map(function (event, i) {
      var fresh = state.shown && !state.seen[event.id];
      state.seen[event.id] = true;
      return step(event, events[i - 1], byId[event.causationId], fresh);
    });
    state.events = events;
    state.shown = state.shown || events.length > 0;
    view.steps.replaceChildren.apply(view.steps, rows);
  }

  /** One row of the sequence: the card in its producer's lane, the topic on the bus, arrows to its consumers. */
  function step(event, previous, cause, fresh) {
    var from = laneIndex[event.context];
    var consumers = (config.consumers[event.type] || []).filter(function (c) { return laneIndex[c] !== undefined; });
    var cells = config.lanes.map(function (lane, i) {
      var cell = el('div', { role: 'cell', 'data-lane': lane.id });
      cell.style.gridColumn = String(i + 1); // explicit: the wire shares the row
      return cell;
    });
    cells[from].appendChild(card(event, previous, cause, fresh));
    cells[BUS].appendChild(el('div', { class: 'topic', title: 'Published on the topic ' + event.type }, [
      el('code', { text: event.type }),
      consumers.length ? '\u2192 ' + consumers.map(function (c) { return laneLabel[c]; }).join(', ') : 'kept for audit'
    ]));
    consumers.forEach(function (c) {
      var to = laneIndex[c];
      cells[to].appendChild(el('span', { class: 'arrowhead', 'data-dir': to > from ? 'right' : 'left', 'aria-hidden': 'true' }));
    });
    var reach = [from, BUS].concat(consumers.map(function (c) { return laneIndex[c]; }));
    var low = Math.min.apply(null, reach);
    var high = Math.max.apply(null, reach);
    var wire = el('div', { class: 'wire', 'aria-hidden': 'true' });
    var span = high - low + 1;
    wire.style.gridColumn = (low + 1) + ' / ' + (high + 2);
    wire.style.marginLeft = wire.style.marginRight = (50 / span) + '%';
    var row = el('div', { role: 'row', class: 'step', 'data-testid': 'step', 'data-from': event.context, 'data-event-type': event.type }, cells);
    row.insertBefore(wire, row.firstChild);
    return row;
  }

  function card(event, previous, cause, fresh) {
    var latency = previous ? Date.parse(event.occurredAt) - Date.parse(previous.occurredAt) : 0;
    var causeText = 'caused by ' + (cause ? cause.type : 'a request');
    var detail = summarize(event.data || {});
    return el('article', {
      class: 'card' + (fresh ? ' fresh' : ''), 'data-testid': 'event', 'data-event-type': event.type, 'data-lane': event.context,
      title: 'event ' + event.id + ' (v' + event.version + '), caused by ' + event.causationId,
      'aria-label': event.type + ' from ' + laneLabel[event.context] + ' at ' + clock(event.occurredAt) +
        (previous ? ', ' + latency + ' ms after ' + previous.type : '') + ', ' + causeText
    }, [
      el('strong', { class: 'type', text: event.type }),
      el('span', { class: 'when' }, [
        el('time', { datetime: event.occurredAt, text: clock(event.occurredAt) }),
        el('span', { class: 'latency', 'data-testid': 'latency', text: previous ? '+' + latency + ' ms' : 'start' })
      ]),
      el('p', { class: 'cause', 'data-testid': 'cause', text: '\u2190 ' + causeText }),
      detail ? el('p', { class: 'detail', text: detail }) : null
    ]);
  }

  /** The one or two facts of an event's data a person looks for. */
  function summarize(data) {
    var parts = [];
    if (data.reason) parts.push(data.reason);
    if (typeof data.total === 'number') parts.push('total ' + money(data.total, data.currency));
    if (typeof data.amount === 'number') parts.push(money(data.amount, data.currency));
    if (data.paymentId && typeof data.amount !== 'number') parts.push(data.paymentId);
    if (data.reservationId) parts.push(data.reservationId);
    if (Array.isArray(data.skus)) parts.push(data.skus.join(', '));
    return parts.join(' \u00b7 ');
  }

  // ----- start -----------------------------------------------------------------------------

  renderPresets();
  refreshList();
  setInterval(function () { if (!document.hidden) refreshList(); }, config.listRefreshMs);
  var linked = /^#order=(.+)$/.exec(location.hash);
  if (linked) select(decodeURIComponent(linked[1]));
})();
`;
