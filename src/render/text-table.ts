/** Plain-text tables for the CLI: one header row, columns padded to their widest cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  /** Longer cells are cut with an ellipsis. */
  maxWidth?: number;
}

function cell<T>(column: Column<T>, row: T): string {
  const raw = column.value(row);
  const text = raw === null || raw === undefined ? '-' : String(raw).replace(/\s+/g, ' ');
  const max = column.maxWidth ?? 80;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column, row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** "3m ago", "in 2h", "now": compact relative times for health columns. */
export function relativeTime(date: Date | null, now: Date): string | null {
  if (date === null) return null;
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  if (seconds === 0) return 'now';
  const abs = Math.abs(seconds);
  // A unit holds while its rounded count stays below the next unit: 59.7 minutes is "1h", not "60m".
  const minutes = Math.round(abs / 60);
  const hours = Math.round(abs / 3600);
  const text = abs < 60 ? `${abs}s` : minutes < 60 ? `${minutes}m` : hours < 48 ? `${hours}h` : `${Math.round(abs / 86_400)}d`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}
