import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { shortenAccountId } from './account-id.js';
import { renderTable } from './table.js';
import { formatTokenCount } from './token-count.js';
import { renderUsageSummary } from './usage-summary.js';

describe('renderTable', () => {
  it('aligns columns, ignoring colour codes', () => {
    const bold = picocolors.createColors(true).bold;
    const lines = renderTable(
      [{ header: 'ID' }, { header: 'SIZE', alignRight: true }],
      [
        ['a', '1'],
        ['longer', '100'],
      ],
      bold,
    );
    expect(lines.map((line) => line.replace(/\u001b\[\d+m/g, ''))).toEqual([
      'ID      SIZE',
      'a          1',
      'longer   100',
    ]);
  });
});

describe('formatTokenCount', () => {
  it('abbreviates thousands and millions', () => {
    expect(formatTokenCount(950)).toBe('950');
    expect(formatTokenCount(12_345)).toBe('12.3k');
    expect(formatTokenCount(272_000)).toBe('272k');
    expect(formatTokenCount(1_200_000)).toBe('1.2M');
  });
});

describe('shortenAccountId', () => {
  it('keeps the start and the end', () => {
    expect(shortenAccountId('6f1c2b1e-0000-4000-8000-00000000c0de')).toBe('6f1c2b1e…c0de');
    expect(shortenAccountId('short')).toBe('short');
  });
});

describe('renderUsageSummary', () => {
  const plain = picocolors.createColors(false);

  it('counts cached tokens as input and names them', () => {
    expect(
      renderUsageSummary(
        {
          model: 'gpt-5.4',
          usage: {
            promptTokens: 1000,
            cacheReadTokens: 234,
            completionTokens: 87,
            totalTokens: 1321,
            reasoningTokens: 40,
          },
          elapsedMs: 1400,
        },
        plain,
      ),
    ).toBe('gpt-5.4 · 1,234 in (234 cached) · 87 out (40 reasoning) · 1.4 s');
  });

  it('says when no usage was reported', () => {
    expect(renderUsageSummary({ model: 'o3', elapsedMs: 500 }, plain)).toBe('o3 · no usage reported · 0.5 s');
  });
});

describe('renderTable with maxWidth', () => {
  it('cuts a cell longer than the column allows so other rows are not padded to it', () => {
    const lines = renderTable(
      [{ header: 'ID', maxWidth: 5 }, { header: 'N' }],
      [
        ['abcdefghij', '1'],
        ['ab', '2'],
      ],
    );
    expect(lines).toEqual(['ID     N', 'abcd…  1', 'ab     2']);
  });
});
