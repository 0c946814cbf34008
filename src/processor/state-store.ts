/** Every state store: what user code sees through `context.getStateStore(name)`. */
export interface StateStore {
  readonly name: string;
  /** True when the data lives on disk (LevelDB); false for in-memory stores. */
  readonly persistent: boolean;
}
