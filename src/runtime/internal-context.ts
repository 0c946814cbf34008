import type { Logger } from '../common/logger.js';
import type { ProcessorContext } from '../processor/api.js';

/** The task metrics a processor may count into (dropped records, late records, ...). */
export interface ProcessorMetrics {
  increment(name: string, by?: number): void;
}

/**
 * What the runtime's processor contexts give the DSL's own processors beyond the public Processor
 * API (Kafka Streams' InternalProcessorContext): the task's metrics and logger, and an object that
 * stands for the running task (state shared by the processors of one task hangs off it).
 */
export interface InternalProcessorContext<KForward = any, VForward = any> extends ProcessorContext<KForward, VForward> {
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  readonly taskScope: object;
}

/**
 * The context as an InternalProcessorContext, or null for a context of user code's own making.
 * Checked by its members rather than `instanceof`: a topology module may run on another copy of
 * kstream than the runtime (e.g. sources via tsx, runtime from dist).
 */
export function internalContext(context: ProcessorContext<any, any>): InternalProcessorContext | null {
  const c = context as Partial<InternalProcessorContext>;
  return typeof c.metrics === 'object' && c.metrics !== null && typeof c.logger === 'object' && c.logger !== null && typeof c.taskScope === 'object'
    ? (context as InternalProcessorContext)
    : null;
}
