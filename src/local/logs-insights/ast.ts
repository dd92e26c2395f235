/** Where a node starts in the query, for error messages. */
export interface SourcePos {
  readonly offset: number;
}

/** An expression as parsed; `text` is its source, which names an unaliased column as AWS does. */
export type Expr = SourcePos &
  (
    | { readonly k: 'number'; readonly value: number }
    | { readonly k: 'string'; readonly value: string }
    | { readonly k: 'regex'; readonly source: string }
    | { readonly k: 'period'; readonly text: string }
    | { readonly k: 'field'; readonly name: string }
    | { readonly k: 'star' }
    | { readonly k: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr }
    | { readonly k: 'not'; readonly operand: Expr }
    | { readonly k: 'neg'; readonly operand: Expr }
    | { readonly k: 'call'; readonly name: string; readonly args: readonly Expr[] }
    | { readonly k: 'in'; readonly operand: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
    | { readonly k: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly negated: boolean }
  );

/** An expression with the column name it produces (`expr as name`, or its source text). */
export interface NamedExpr {
  readonly expr: Expr;
  readonly name: string;
}

/** One sort key. */
export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
}

/** One pipeline stage. */
export type Command = SourcePos &
  (
    | { readonly k: 'fields'; readonly items: readonly NamedExpr[] }
    | { readonly k: 'display'; readonly items: readonly NamedExpr[] }
    | { readonly k: 'filter'; readonly expr: Expr }
    | { readonly k: 'stats'; readonly items: readonly NamedExpr[]; readonly by: readonly NamedExpr[] }
    | { readonly k: 'sort'; readonly keys: readonly SortKey[] }
    | { readonly k: 'limit'; readonly count: number }
    | { readonly k: 'dedup'; readonly keys: readonly NamedExpr[] }
    | {
        readonly k: 'parse';
        readonly source: Expr;
        readonly pattern: { readonly kind: 'glob' | 'regex'; readonly text: string };
        readonly names: readonly string[];
      }
  );
