/**
 * Dependency cycles in a directed graph (Tarjan's strongly connected
 * components), each named as one concrete loop: `web → db → web`.
 */

/**
 * Returns one cycle per strongly connected component that loops, as a node
 * list that starts and ends with the same node (the smallest name first).
 */
export function findCycles(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  // iterative Tarjan, so a long chain of units cannot overflow the call stack
  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, i] = frame;
      if (i === 0 && !index.has(node)) {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
      }
      const next = (edges.get(node) ?? [])[i];
      if (next !== undefined) {
        frame[1]++;
        if (!index.has(next)) work.push([next, 0]);
        else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) === index.get(node)) {
        const comp: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          comp.push(n);
        } while (n !== node);
        components.push(comp);
      }
    }
  }
  const cycles: string[][] = [];
  for (const comp of components) {
    const members = new Set(comp);
    const start = [...comp].sort()[0]!;
    if (comp.length === 1 && !(edges.get(start) ?? []).includes(start)) continue;
    cycles.push(loopFrom(start, members, edges));
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A shortest path start → … → start inside one component (breadth-first). */
function loopFrom(start: string, members: Set<string>, edges: Map<string, string[]>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head]!;
    for (const m of [...(edges.get(n) ?? [])].sort()) {
      if (!members.has(m)) continue;
      if (m === start) {
        const back = [start];
        for (let c: string | undefined = n; c !== undefined && c !== start; c = prev.get(c)) back.push(c);
        back.push(start);
        return back.reverse();
      }
      if (!prev.has(m)) {
        prev.set(m, n);
        queue.push(m);
      }
    }
  }
  return [start, start];
}
