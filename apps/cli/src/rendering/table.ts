import { stripVTControlCharacters } from 'node:util';

/** One column of {@link renderTable}. */
export interface TableColumn {
  /** The header text. */
  header: string;
  /** Right-align the column (numbers). */
  alignRight?: boolean;
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
  const widths = columns.map((column, index) =>
    Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[index] ?? ''))),
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
    ...rows.map((row) => line(columns.map((_, index) => row[index] ?? ''))),
  ];
}
