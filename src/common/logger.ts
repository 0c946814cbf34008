export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Writes to stderr (stdout stays for data), one line per message. */
export function consoleLogger(level: LogLevel = (process.env.KSTREAM_LOG_LEVEL as LogLevel) ?? 'warn'): Logger {
  const min = ORDER[level] ?? ORDER.warn;
  const at = (l: LogLevel) => (message: string) => {
    if (ORDER[l] >= min) process.stderr.write(`[kstream] ${l.toUpperCase()} ${message}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
