/**
 * The end offset of each assigned partition as the latest fetch response gave it, with or without
 * records for it (Kafka Streams' "fetched lag", KIP-695). A partition not fetched since its
 * assignment has none (-1): a task must not take that partition for caught up. `version` changes
 * whenever an end does, so a reader can skip the unchanged case with one comparison.
 */
export class FetchedEnds {
  private readonly ends = new Map<string, number>();
  version = 0;

  /** The end by tpKey; -1 when not fetched since the assignment. */
  get(key: string): number {
    return this.ends.get(key) ?? -1;
  }

  set(key: string, end: number): void {
    if (this.ends.get(key) === end) return;
    this.ends.set(key, end);
    this.version++;
  }

  /** The end is unknown again until the next fetch response that includes the partition. */
  forget(key: string): void {
    if (this.ends.delete(key)) this.version++;
  }

  /** On a new assignment: every end is unknown until fetched again. */
  clear(): void {
    if (this.ends.size === 0) return;
    this.ends.clear();
    this.version++;
  }
}
