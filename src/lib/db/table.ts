/**
 * A table's columns, keyed by the domain field each one holds, for hand-written statements. The column map
 * must name every field of the row type, so a field added to the domain type without a column fails to compile.
 */
export class Table<Row extends object> {
  private readonly fields: Array<keyof Row & string>;

  constructor(
    readonly name: string,
    private readonly columns: { [K in keyof Row]-?: string },
  ) {
    this.fields = Object.keys(columns) as Array<keyof Row & string>;
  }

  column(field: keyof Row & string): string {
    const column = this.columns[field];
    if (!column) throw new Error(`${this.name} has no column for ${field}`);
    return column;
  }

  /** `alias.col AS "field", …` for every field: rows come back shaped as the domain type. */
  selectList(alias = this.name): string {
    return this.fields.map((field) => `${alias}.${this.columns[field]} AS "${field}"`).join(', ');
  }

  /** `INSERT INTO table (col, …) VALUES ($1, …)` for the given fields, with the values in the same order. */
  insert<F extends keyof Row & string>(row: Pick<Row, F>, extra: Record<string, string> = {}): { sql: string; values: unknown[] } {
    const fields = (Object.keys(row) as F[]).filter((field) => row[field] !== undefined).sort();
    const columns = [...fields.map((field) => this.column(field)), ...Object.keys(extra)];
    const placeholders = [...fields.map((_, i) => `$${i + 1}`), ...Object.values(extra)];
    return {
      sql: `INSERT INTO ${this.name} (${columns.join(', ')}) VALUES (${placeholders.join(', ')})`,
      values: fields.map((field) => row[field]),
    };
  }

  /** `col = $n, …` for the given changes, numbered from `firstParameter`. */
  assignments(changes: Partial<Row>, firstParameter: number): { sql: string; values: unknown[] } {
    const fields = (Object.keys(changes) as Array<keyof Row & string>).filter((field) => changes[field] !== undefined).sort();
    return {
      sql: fields.map((field, i) => `${this.column(field)} = $${firstParameter + i}`).join(', '),
      values: fields.map((field) => changes[field]),
    };
  }
}
