/** Thrown by function implementations for bad input; the evaluator turns it into NULL + a processing-log entry. */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
}
