import { describe, expect, it } from 'vitest';
import { jsonEngineWarnings } from './start-up-warnings.js';

describe('jsonEngineWarnings', () => {
  it('says nothing when JSON.parse reads the escaped keys right both times', () => {
    expect(jsonEngineWarnings((text) => JSON.parse(text), '24.22.3')).toEqual([]);
  });

  it('warns, naming the Node.js version, when a second parse mixes up the escaped keys', () => {
    let parses = 0;
    // What V8 in Node.js 24.21.0 does: the first parse is right, the second has the later key twice.
    const mixingUp = (text: string): unknown => {
      parses += 1;
      return parses === 1
        ? JSON.parse(text)
        : [
            { x: 0, '\\': 0 },
            { x: 0, '\\': 0 },
          ];
    };
    const warnings = jsonEngineWarnings(mixingUp, '24.21.0');
    expect(parses).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^WARNING: this Node\.js \(24\.21\.0\) has a V8 bug .*24\.22\.3 or newer\.\n$/,
    );
  });

  it('warns when the first parse is already wrong', () => {
    expect(jsonEngineWarnings(() => [{ x: 0 }], '25.9.0')).toHaveLength(1);
  });
});
