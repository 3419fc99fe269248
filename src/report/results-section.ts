// One section of docs/results.md: a heading, a Markdown table padded as the repository's
// formatter writes it, and notes under it (each rule stated once, a sentence that sums it up).

export interface Section {
  title: string;
  /** Default: what the homework shows, its value, probelab's, and the table it comes from. */
  header?: string[];
  lines: string[][];
  notes?: string[];
}

const HOMEWORK_HEADER = ['homework', 'its value', 'probelab measured', 'table'];

export function sectionMarkdown(section: Section): string[] {
  const header = section.header ?? HOMEWORK_HEADER;
  const rows = [header, ...section.lines].map((line) => line.map((cell) => cell.replace(/\|/g, '\\|')));
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    `## ${section.title}`,
    '',
    line(rows[0]),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.slice(1).map(line),
    '',
    ...(section.notes ?? []).flatMap((note) => [note, '']),
  ];
}
