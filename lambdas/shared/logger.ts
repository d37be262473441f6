/**
 * A small structured logger: one JSON object per line, with whatever context its children were
 * given (correlation id, event id and type). Small on purpose: it keeps Lambda bundles lean.
 * Log ids and amounts only, never payment details.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export class Logger {
  constructor(
    private readonly level: LogLevel = parseLevel(process.env.LOG_LEVEL),
    private readonly fields: LogFields = {},
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  ) {}

  child(fields: LogFields): Logger {
    return new Logger(this.level, { ...this.fields, ...fields }, this.sink);
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  private log(level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void {
    if (RANK[level] < RANK[this.level]) return;
    const entry: LogFields = { level, message, timestamp: new Date().toISOString(), ...this.fields, ...fields };
    if (entry.error instanceof Error) entry.error = { name: entry.error.name, message: entry.error.message };
    this.sink(JSON.stringify(entry));
  }
}

export function parseLevel(value: string | undefined): LogLevel {
  const level = (value ?? 'info').toLowerCase();
  return level in RANK ? (level as LogLevel) : 'info';
}

/** The fields that tie a log line to an event. */
export function eventFields(event: { id: string; type: string; correlationId: string }): LogFields {
  return { correlationId: event.correlationId, eventId: event.id, eventType: event.type };
}

export const silentLogger = new Logger('silent');
