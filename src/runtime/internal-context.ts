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
  /**
   * The task's stream time as the committed offsets' metadata gave it when the task was taken
   * over (-1 for a task that starts fresh). A processor that keeps its own observed stream time
   * starts from it, so that a failover does not reopen windows that had closed.
   */
  readonly committedStreamTime?: number;
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

/** The stream time a task was resumed with (-1 when none, or for a context of user code's own making). */
export function committedStreamTime(context: ProcessorContext<any, any>): number {
  return internalContext(context)?.committedStreamTime ?? -1;
}
