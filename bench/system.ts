/**
 * Latency, throughput and cold starts on the local cloud (no proxy in the way), and in the same
 * run, on the same emulators, the floor pipeline of latency and throughput.
 */
import { startLocalCloud, type LocalCloud } from '../local/cloud/local-cloud';
import { measureColdStarts, type ColdStartRow } from './cold-start/cold-start';
import { cpuNow, cpuUse, type CpuUse } from './cpu';
import { setUpFloor } from './floor';
import { LambdaMeter, type FunctionUsage } from './lambda-meter';
import { closedLoop, combineSequential, combineWindows, fixedCount, oneAtATime, type ClosedLoopOptions, type ClosedLoopResult, type SequentialResult } from './load';
import { benchOrder, finalStatusFunctions, OrderRunner } from './orders';
import { median, summarize } from './stats';
import { describeFunctions } from './topology';

/** Under load, one order in this many has its final status read through the API. */
const SAMPLE_EVERY = 3;

export interface SystemOptions {
  readonly concurrency: number;
  readonly warmUpOrders: number;
  readonly sequentialOrders: number;
  readonly sustained: Omit<ClosedLoopOptions, 'concurrency'>;
  readonly floorSustained: Omit<ClosedLoopOptions, 'concurrency'>;
  readonly coldStartRepetitions: number;
  readonly logDir: string;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export interface HopTime {
  readonly from: string;
  readonly to: string;
  readonly medianMs: number;
  /** Not a gap between two events: the rest of the end-to-end time. */
  readonly synthetic?: boolean;
}

export interface SystemResult {
  readonly sequential: SequentialResult;
  readonly sustained: ClosedLoopResult;
  readonly floorSequential: SequentialResult;
  readonly floorSustained: ClosedLoopResult;
  /** Median time between the events of a sequential order's timeline, and from the last one to the API showing it. */
  readonly hops: readonly HopTime[];
  readonly statuses: Record<string, number>;
  /** Per function during the sustained run: invocations, mean duration, waiting for an environment. */
  readonly functions: Record<string, FunctionUsage & { readonly meanMs: number }>;
  readonly sqsMessagesPerBatch: number;
  readonly streamRecordsPerBatch: number;
  readonly apiRequestsPerOrder: number;
  /** Events the floor's event log failed to keep (none expected). */
  readonly floorLogFailures: number;
  /** CPU per order under the sustained load, the system's and the floor's. */
  readonly cpu: { readonly system: CpuUse; readonly floor: CpuUse };
  readonly coldStarts: readonly ColdStartRow[];
  readonly startupMs: Readonly<Record<string, number>>;
}

export async function runSystemPhase(options: SystemOptions): Promise<SystemResult> {
  const meter = new LambdaMeter();
  let runner: OrderRunner | undefined;
  let cloud: LocalCloud | undefined;
  try {
    cloud = await startLocalCloud({
      logDir: options.logDir,
      afterInvoke: (invocation, outcome) => runner?.afterInvoke(invocation, outcome),
      onInvocation: meter.record,
    });
    const running = cloud;
    const active = new OrderRunner({ apiUrl: running.apiUrl }, finalStatusFunctions(describeFunctions(running.topology)));
    runner = active;
    const place = (_lane: number, sequence: number) => active.run(benchOrder(sequence), { throughApi: true });
    // Under load, one order in SAMPLE_EVERY has its final status read through the API (the
    // latency figure); the others end when their final consumer returns, so that the bench's own
    // reads do not load the system it measures.
    let started = 0;
    const placeUnderLoad = (_lane: number, sequence: number) => active.run(benchOrder(sequence), { throughApi: started++ % SAMPLE_EVERY === 0 });

    // While the floor runs, the stream pollers (the ones that keep DynamoDB Local busy, reading
    // every shard several times a second) pause. The SQS pollers' idle long polls cost nothing
    // and stay: a long poll aborted by stop() lives on in fauxqs, which then hands the next
    // message to nobody, hiding it for its whole visibility timeout.
    const pausePollers = async () => {
      await Promise.all(running.streamPollers.map((poller) => poller.stop()));
    };
    const resumePollers = () => {
      for (const poller of running.streamPollers) poller.start();
    };

    options.log(`warming up: ${options.warmUpOrders} orders, then ${options.warmUpOrders * 2} with ${options.concurrency} in flight`);
    await oneAtATime(place, options.warmUpOrders, 60_000);
    await fixedCount(place, options.warmUpOrders * 2, options.concurrency);

    // The floor runs with no Lambda host busy. System and floor take turns (ABAB), so that whatever
    // else this machine does weighs on both.
    const floor = await setUpFloor(running.endpoints, options.concurrency);
    try {
      await pausePollers();
      await oneAtATime(floor.run, options.warmUpOrders * 2, 60_000);
      await floor.settled();
      resumePollers();

      const blocks = 4;
      const perBlock = Math.max(1, Math.round(options.sequentialOrders / blocks));
      options.log(`latency: ${perBlock * blocks} orders one at a time, in ${blocks} turns with as many floor orders`);
      const firstSequential = active.placedOrderIds.length;
      const systemTurns: SequentialResult[] = [];
      const floorTurns: SequentialResult[] = [];
      for (let turn = 0; turn < blocks; turn += 1) {
        systemTurns.push(await oneAtATime(place, perBlock, 60_000));
        await pausePollers();
        floorTurns.push(await oneAtATime(floor.run, perBlock, 60_000));
        await floor.settled();
        resumePollers();
      }
      const sequential = combineSequential(systemTurns);
      const floorSequential = combineSequential(floorTurns);
      const hops = await hopTimes(running.apiUrl, active.placedOrderIds.slice(firstSequential, firstSequential + 20), sequential.latency.p50);

      const floorWindow = { ...options.floorSustained, windowMs: options.floorSustained.windowMs / 2, concurrency: options.concurrency };
      options.log(`throughput: the floor for ${floorWindow.windowMs / 1000} s, the system for ${options.sustained.windowMs / 1000} s, the floor again, ${options.concurrency} in flight`);
      await pausePollers();
      const floorCpu0 = cpuNow();
      const floorBefore = await closedLoop(floor.run, floorWindow);
      await floor.settled();
      const floorCpu1 = cpuNow();
      resumePollers();
      const usageBefore = meter.snapshot();
      const apiBefore = active.apiRequests;
      const placedBefore = active.placedOrderIds.length;
      const pollersBefore = pollerTotals(running);
      const systemCpu0 = cpuNow();
      const sampledBefore = active.seenThroughApi.length;
      const loaded = await closedLoop(placeUnderLoad, { ...options.sustained, concurrency: options.concurrency });
      const sampled = active.seenThroughApi.slice(sampledBefore).filter((o) => o.at >= loaded.window.start && o.at <= loaded.window.end).map((o) => o.ms);
      // Throughput from every order; latency from the orders whose status was read through the API.
      const sustained = { ...loaded, latency: summarize(sampled), latencies: sampled };
      const systemCpu1 = cpuNow();
      const usage = LambdaMeter.difference(meter.snapshot(), usageBefore);
      const pollersAfter = pollerTotals(running);
      const apiRequestsPerOrder = (active.apiRequests - apiBefore) / Math.max(1, active.placedOrderIds.length - placedBefore);
      await pausePollers();
      const floorCpu2 = cpuNow();
      const floorAfter = await closedLoop(floor.run, floorWindow);
      await floor.settled();
      const floorCpu3 = cpuNow();
      const floorSustained = combineWindows([floorBefore, floorAfter]);
      const done = (r: ClosedLoopResult) => r.started - r.failures;
      const cpu = {
        system: cpuUse([{ before: systemCpu0, after: systemCpu1, orders: done(sustained) }]),
        floor: cpuUse([
          { before: floorCpu0, after: floorCpu1, orders: done(floorBefore) },
          { before: floorCpu2, after: floorCpu3, orders: done(floorAfter) },
        ]),
      };

      options.log(`cold starts: every function, ${options.coldStartRepetitions} times, beside its floor bundle`);
      const coldStarts = await measureColdStarts(running, { repetitions: options.coldStartRepetitions, workDir: options.workDir, log: options.log });

      return {
        sequential,
        sustained,
        floorSequential,
        floorSustained,
        hops,
        statuses: Object.fromEntries(active.statuses),
        functions: Object.fromEntries([...usage].map(([id, u]) => [id, { ...u, meanMs: u.durationMs / Math.max(1, u.invocations) }])),
        sqsMessagesPerBatch: (pollersAfter.sqsRecords - pollersBefore.sqsRecords) / Math.max(1, pollersAfter.sqsBatches - pollersBefore.sqsBatches),
        streamRecordsPerBatch: (pollersAfter.streamRecords - pollersBefore.streamRecords) / Math.max(1, pollersAfter.streamBatches - pollersBefore.streamBatches),
        apiRequestsPerOrder,
        floorLogFailures: floor.logFailures,
        cpu,
        coldStarts,
        startupMs: running.timings,
      };
    } finally {
      floor.close();
    }
  } finally {
    await cloud?.stop();
  }
}

function pollerTotals(cloud: LocalCloud) {
  const sum = (pollers: readonly { counters: { batches: number; records: number } }[]) =>
    pollers.reduce((t, p) => ({ batches: t.batches + p.counters.batches, records: t.records + p.counters.records }), { batches: 0, records: 0 });
  const sqs = sum(cloud.sqsPollers);
  const stream = sum(cloud.streamPollers);
  return { sqsBatches: sqs.batches, sqsRecords: sqs.records, streamBatches: stream.batches, streamRecords: stream.records };
}

/** Where a lone order's time goes: the gaps between its timeline's events (their occurredAt). */
async function hopTimes(apiUrl: string, orderIds: readonly string[], p50: number): Promise<HopTime[]> {
  const gaps = new Map<string, number[]>();
  const spans: number[] = [];
  for (const orderId of orderIds) {
    const response = await fetch(`${apiUrl}/orders/${encodeURIComponent(orderId)}/events`);
    if (!response.ok) continue;
    const { events } = (await response.json()) as { events: { type: string; occurredAt: string }[] };
    const times = events.map((e) => ({ type: e.type, at: Date.parse(e.occurredAt) }));
    for (let i = 1; i < times.length; i += 1) {
      const from = times[i - 1];
      const to = times[i];
      if (!from || !to) continue;
      const key = `${from.type} → ${to.type}`;
      gaps.set(key, [...(gaps.get(key) ?? []), to.at - from.at]);
    }
    const first = times[0];
    const last = times.at(-1);
    if (first && last) spans.push(last.at - first.at);
  }
  const result: HopTime[] = [...gaps].map(([key, values]) => {
    const [from = '', to = ''] = key.split(' → ');
    return { from, to, medianMs: median(values) };
  });
  // The rest of the end-to-end time: the POST before order.placed, and from stock.reserved's
  // consumer to the API showing STOCK_RESERVED.
  result.push({ from: 'POST, and the last hop', to: 'STOCK_RESERVED seen', medianMs: p50 - median(spans), synthetic: true });
  return result;
}
