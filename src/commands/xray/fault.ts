import type { TraceNode, TraceTree } from './trace-document';
import { nodeLabel } from './waterfall';

/** Where a failed trace failed: the deepest faulted (else errored) node and its exception. */
export interface TraceFault {
  readonly node: TraceNode;
  readonly kind: 'fault' | 'error';
  /** `Type: message` of the node's first exception, or of the nearest descendant's that has one. */
  readonly cause: string | undefined;
  readonly sentence: string;
}

/**
 * The faulting segment of a trace: X-Ray marks every ancestor of a failed call as faulted too, so
 * the deepest marked node is where it started; its exception (or, failing that, the nearest
 * ancestor's) says why. Faults (5xx) win over errors (4xx); the earliest wins a tie.
 */
export function findFault(tree: TraceTree): TraceFault | undefined {
  for (const kind of ['fault', 'error'] as const) {
    let best: { node: TraceNode; depth: number; cause: string | undefined } | undefined;
    const visit = (node: TraceNode, depth: number, inherited: string | undefined) => {
      const cause = node.cause ?? inherited;
      if (node[kind]) {
        const better =
          !best || depth > best.depth || (depth === best.depth && node.startMs < best.node.startMs);
        if (better) best = { node, depth, cause };
      }
      for (const child of node.children) visit(child, depth + 1, cause);
    };
    for (const root of tree.roots) visit(root, 0, undefined);
    if (best) {
      const what = kind === 'fault' ? 'failed' : 'returned an error';
      const status = best.node.httpStatus !== undefined ? ` (HTTP ${best.node.httpStatus})` : '';
      const because = best.cause ? `: ${best.cause}` : '';
      return {
        node: best.node,
        kind,
        cause: best.cause,
        sentence: `${nodeLabel(best.node)} ${what}${status}${because}`,
      };
    }
  }
  return undefined;
}
