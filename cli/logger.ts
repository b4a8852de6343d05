// eksctl's log lines (cmd/eksctl/logger.go): "2006-01-02 15:04:05 [ℹ]  message", local time without a zone,
// the icon in brackets, two spaces. People grep these and diff them against eksctl runs, so the shape is
// kept exactly; levels follow eksctl's -v (0 silent, 1 critical, 2 +warnings, 3 +info/success, 4 +debug).

export type LogLevel = "critical" | "warning" | "info" | "success" | "debug" | "always";

const ICON: Record<LogLevel, string> = {
  critical: "✖",
  warning: "!",
  info: "ℹ",
  success: "✔",
  debug: "▶",
  always: "✿",
};

const MIN_VERBOSITY: Record<LogLevel, number> = {
  critical: 1,
  warning: 2,
  info: 3,
  success: 3,
  debug: 4,
  always: 0,
};

// ANSI colours eksctl uses for whole lines.
const COLOUR: Record<LogLevel, string> = {
  critical: "\x1b[31m",
  warning: "\x1b[32m",
  info: "\x1b[36m",
  success: "\x1b[36m",
  debug: "\x1b[32m",
  always: "\x1b[35m",
};

const pad = (n: number) => String(n).padStart(2, "0");

/** Go's "2006-01-02 15:04:05" layout, in local time. */
export function timestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatLine(level: LogLevel, message: string, now: Date = new Date()): string {
  return `${timestamp(now)} [${ICON[level]}]  ${message}\n`;
}

export interface Writable {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  verbosity?: number;
  /** eksctl's --color: "true" | "false" | "fabulous". Colour needs a terminal too. */
  color?: string;
  out?: Writable;
  now?: () => Date;
}

export class Logger {
  verbosity: number;
  out: Writable;
  private readonly colour: boolean;
  private readonly now: () => Date;

  constructor(o: LoggerOptions = {}) {
    this.verbosity = o.verbosity ?? 3;
    this.out = o.out ?? process.stdout;
    this.now = o.now ?? (() => new Date());
    this.colour = (o.color ?? "true") !== "false" && this.out.isTTY === true && !process.env.NO_COLOR;
  }

  log(level: LogLevel, message: string): void {
    if (this.verbosity < MIN_VERBOSITY[level]) return;
    const line = formatLine(level, message, this.now());
    this.out.write(this.colour ? `${COLOUR[level]}${line.slice(0, -1)}\x1b[0m\n` : line);
  }

  info(m: string): void {
    this.log("info", m);
  }
  success(m: string): void {
    this.log("success", m);
  }
  warning(m: string): void {
    this.log("warning", m);
  }
  critical(m: string): void {
    this.log("critical", m);
  }
  debug(m: string): void {
    this.log("debug", m);
  }

  /** Sends further lines to stderr: `get -o json|yaml` keeps stdout for the data, as eksctl does. */
  toStderr(): void {
    this.out = process.stderr;
  }

  /**
   * Runs one step of a command and logs how long it took. eksctl prints no times; Kumulus adds them because
   * the speed of each step is what users compare.
   */
  async step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const result = await fn();
    this.info(`${what} took ${formatElapsed(performance.now() - t0)}`);
    return result;
  }
}

export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

export interface WaitOptions {
  /** The overall deadline (ms since epoch): the command's --timeout. */
  deadline: number;
  /** First poll delay; it grows to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Logged at each poll after the first, so a slow wait never looks hung (eksctl#75). */
  progress?: string;
  timeoutMessage: string;
}

/**
 * Polls `check` until it returns a value other than undefined. Logs `progress` at each poll while waiting
 * (eksctl's repeated "waiting for CloudFormation stack ..." lines) and throws TimeoutError at the deadline.
 */
export async function waitUntil<T>(
  log: Logger,
  check: () => Promise<T | undefined>,
  o: WaitOptions,
): Promise<T> {
  let delay = o.intervalMs ?? 250;
  const max = o.maxIntervalMs ?? 2000;
  let lastProgress = 0;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() >= o.deadline) throw new TimeoutError(o.timeoutMessage);
    // One progress line per ~2 s at most: polls are fast here and eksctl's lines come every 20-60 s.
    if (o.progress && Date.now() - lastProgress >= 2000) {
      log.info(o.progress);
      lastProgress = Date.now();
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, o.deadline - Date.now()))));
    delay = Math.min(max, Math.ceil(delay * 1.5));
  }
}
