import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { buildEffectiveEnvironment } from './effective-environment.js';
import { parseSettingOverrides } from './setting-value.js';

describe('buildEffectiveEnvironment', () => {
  it('applies -c over the environment over the config file', () => {
    const env = buildEffectiveEnvironment({
      env: { CODETETHER_TRANSPORT: 'websocket', PATH: '/bin' },
      configFile: { transport: 'http', model: 'gpt-5.5', openaiBaseUrl: 'http://config' },
      overrides: { openaiBaseUrl: 'http://override' },
    });
    expect(env).toMatchObject({
      PATH: '/bin',
      CODETETHER_TRANSPORT: 'websocket',
      CODETETHER_MODEL: 'gpt-5.5',
      CODETETHER_OPENAI_BASE_URL: 'http://override',
    });
  });

  it('treats the effort variables as one setting', () => {
    const fromEnvironment = buildEffectiveEnvironment({
      env: { CODETETHER_OPENAI_CODEX_THINKING_LEVEL: 'low' },
      configFile: { reasoningEffort: 'high' },
      overrides: {},
    });
    expect(fromEnvironment.CODETETHER_OPENAI_CODEX_REASONING_EFFORT).toBeUndefined();
    const overridden = buildEffectiveEnvironment({
      env: { CODETETHER_OPENAI_CODEX_THINKING_LEVEL: 'low' },
      configFile: {},
      overrides: { reasoningEffort: 'xhigh' },
    });
    expect(overridden).toEqual({ CODETETHER_OPENAI_CODEX_REASONING_EFFORT: 'xhigh' });
  });
});

describe('parseSettingOverrides', () => {
  it('parses key=value (a later one wins; quoted values are JSON strings)', () => {
    expect(parseSettingOverrides(['model=gpt-5.4', 'transport=sse', 'model="gpt-5.5:high"'])).toEqual({
      model: 'gpt-5.5:high',
      transport: 'http',
    });
  });

  it.each([['model'], ['=x'], ['colour=blue'], ['transport=pigeon'], ['model=']])(
    'refuses -c %s as a usage error',
    (override) => {
      expect(() => parseSettingOverrides([override])).toThrow(CliError);
    },
  );
});
