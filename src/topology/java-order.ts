/**
 * Orderings that reproduce Kafka Streams' describe() output byte for byte. Its text depends on
 * Java collection internals: HashSet/HashMap iteration order and a red-black TreeSet whose
 * comparator reads a size that changes while the set is filled. See docs/semantics/naming.md §6.2.
 */

function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Iteration order of a java.util.HashSet<String> filled in the given order (default capacity, no removals). */
export function javaHashOrder(names: readonly string[]): string[] {
  let capacity = 16;
  while (names.length > 0.75 * capacity) capacity *= 2;
  return names
    .map((name, index) => {
      const h = javaStringHash(name);
      return { name, index, bucket: ((h ^ (h >>> 16)) & (capacity - 1)) >>> 0 };
    })
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((x) => x.name);
}

/** java.lang.String.compareTo: UTF-16 code units, then length. */
export function javaCompareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

interface TreeNode<T> {
  value: T;
  left: TreeNode<T> | null;
  right: TreeNode<T> | null;
  parent: TreeNode<T> | null;
  red: boolean;
}

/** java.util.TreeSet insertion (TreeMap.put + fixAfterInsertion); iteration is in-order. */
export class JavaTreeSet<T> {
  private root: TreeNode<T> | null = null;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  add(value: T): void {
    let t = this.root;
    if (t === null) {
      this.root = { value, left: null, right: null, parent: null, red: false };
      return;
    }
    let parent: TreeNode<T>;
    let c: number;
    do {
      parent = t;
      c = this.compare(value, t.value);
      if (c < 0) t = t.left;
      else if (c > 0) t = t.right;
      else return;
    } while (t !== null);
    const node: TreeNode<T> = { value, left: null, right: null, parent, red: true };
    if (c < 0) parent.left = node;
    else parent.right = node;
    this.fixAfterInsertion(node);
  }

  private rotateLeft(p: TreeNode<T>): void {
    const r = p.right!;
    p.right = r.left;
    if (r.left !== null) r.left.parent = p;
    r.parent = p.parent;
    if (p.parent === null) this.root = r;
    else if (p.parent.left === p) p.parent.left = r;
    else p.parent.right = r;
    r.left = p;
    p.parent = r;
  }

  private rotateRight(p: TreeNode<T>): void {
    const l = p.left!;
    p.left = l.right;
    if (l.right !== null) l.right.parent = p;
    l.parent = p.parent;
    if (p.parent === null) this.root = l;
    else if (p.parent.right === p) p.parent.right = l;
    else p.parent.left = l;
    l.right = p;
    p.parent = l;
  }

  private fixAfterInsertion(start: TreeNode<T>): void {
    const isRed = (n: TreeNode<T> | null) => n !== null && n.red;
    let x: TreeNode<T> | null = start;
    x.red = true;
    while (x !== null && x !== this.root && x.parent!.red) {
      const parent: TreeNode<T> = x.parent!;
      const grand: TreeNode<T> = parent.parent!;
      if (parent === grand.left) {
        const uncle = grand.right;
        if (isRed(uncle)) {
          parent.red = false;
          uncle!.red = false;
          grand.red = true;
          x = grand;
        } else {
          if (x === parent.right) {
            x = parent;
            this.rotateLeft(x);
          }
          x.parent!.red = false;
          x.parent!.parent!.red = true;
          this.rotateRight(x.parent!.parent!);
        }
      } else {
        const uncle = grand.left;
        if (isRed(uncle)) {
          parent.red = false;
          uncle!.red = false;
          grand.red = true;
          x = grand;
        } else {
          if (x === parent.left) {
            x = parent;
            this.rotateRight(x);
          }
          x.parent!.red = false;
          x.parent!.parent!.red = true;
          this.rotateLeft(x.parent!.parent!);
        }
      }
    }
    this.root!.red = false;
  }

  toArray(): T[] {
    const out: T[] = [];
    const walk = (n: TreeNode<T> | null) => {
      if (n === null) return;
      walk(n.left);
      out.push(n.value);
      walk(n.right);
    };
    walk(this.root);
    return out;
  }
}
