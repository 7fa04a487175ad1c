import { stripVTControlCharacters } from 'node:util';

/** One column of {@link renderTable}. */
export interface TableColumn {
  /** The header text. */
  header: string;
  /** Right-align the column (numbers). */
  alignRight?: boolean;
  /**
   * The widest a cell may be, in characters: a longer one is cut and ends in `…`, so one gigantic cell
   * (a server's model name) cannot pad every other row to its width. Cells with colour codes are not cut.
   */
  maxWidth?: number;
}

/**
 * Renders rows as a plain text table with two spaces between columns. Cells may contain colour codes;
 * widths are measured without them.
 *
 * @param columns - the columns
 * @param rows - the cells, one array per row
 * @param decorateHeader - styles the header cells (e.g. bold)
 */
export function renderTable(
  columns: TableColumn[],
  rows: string[][],
  decorateHeader: (text: string) => string = (text) => text,
): string[] {
  const visibleWidth = (text: string): number => stripVTControlCharacters(text).length;
  const fit = (text: string, index: number): string => {
    const maxWidth = columns[index]?.maxWidth;
    if (maxWidth === undefined || text.length <= maxWidth || visibleWidth(text) !== text.length) return text;
    return `${text.slice(0, Math.max(0, maxWidth - 1))}…`;
  };
  const fitted = rows.map((row) => row.map((cell, index) => fit(cell, index)));
  const widths = columns.map((column, index) =>
    Math.max(visibleWidth(column.header), ...fitted.map((row) => visibleWidth(row[index] ?? ''))),
  );
  const pad = (text: string, index: number): string => {
    const padding = ' '.repeat(Math.max(0, (widths[index] ?? 0) - visibleWidth(text)));
    return columns[index]?.alignRight === true ? `${padding}${text}` : `${text}${padding}`;
  };
  const line = (cells: string[]): string =>
    cells
      .map((cell, index) => pad(cell, index))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => decorateHeader(column.header))),
    ...fitted.map((row) => line(columns.map((_, index) => row[index] ?? ''))),
  ];
}
