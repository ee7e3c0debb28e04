/** Disjoint sets over 0..n-1 (union by size, path halving): near-linear for any order of unions. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(count: number) {
    this.parent = new Int32Array(count).map((_, index) => index);
    this.size = new Int32Array(count).fill(1);
  }

  find(element: number): number {
    const { parent } = this;
    while (parent[element] !== element) {
      parent[element] = parent[parent[element]];
      element = parent[element];
    }
    return element;
  }

  /** Joins the sets of a and b; false if they were already one. */
  union(a: number, b: number): boolean {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return false;
    if (this.size[rootA] < this.size[rootB]) [rootA, rootB] = [rootB, rootA];
    this.parent[rootB] = rootA;
    this.size[rootA] += this.size[rootB];
    return true;
  }
}
