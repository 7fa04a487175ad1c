import type { ModelInfo } from '@codetether/provider-codex';
import { createCodexProvider } from '../codex-provider.js';
import type { CommandContext } from '../command-context.js';
import { openCredentialStore } from '../credentials-location.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { renderTable } from '../rendering/table.js';
import { toPlainTerminalText, toSafeJson } from '../rendering/terminal-text.js';
import { formatTokenCount } from '../rendering/token-count.js';

/** Options of `codetether models`. */
export interface ModelsOptions {
  /** Print JSON. */
  json?: boolean;
  /** Ask the backend for its list now instead of using the cached one. */
  refresh?: boolean;
}

/** The widest a model id or name is shown in the table (the backend's list is not trusted to be sane). */
const MAXIMUM_CELL_WIDTH = 60;

/** The efforts column: the listed efforts, `default` marked with `*`, `—` without reasoning. */
function effortsOf(model: ModelInfo): string {
  if (!model.supportsReasoning) return '—';
  if (model.supportedReasoningEfforts.length === 0) return 'any';
  return model.supportedReasoningEfforts
    .map((effort) => (effort === model.defaultReasoningEffort ? `${effort}*` : effort))
    .join(' ');
}

/**
 * Renders the model table: id, name, context window, reasoning efforts (the default marked `*`) and
 * whether the `-fast` alias (priority tier) works.
 *
 * @param models - the models
 * @param bold - styles the header
 */
export function renderModelsTable(models: ModelInfo[], bold: (text: string) => string): string[] {
  return renderTable(
    [
      { header: 'MODEL', maxWidth: MAXIMUM_CELL_WIDTH },
      { header: 'NAME', maxWidth: MAXIMUM_CELL_WIDTH },
      { header: 'CONTEXT', alignRight: true },
      { header: 'EFFORTS' },
      { header: 'FAST' },
    ],
    models.map((model) => [
      toPlainTerminalText(model.id),
      toPlainTerminalText(model.name),
      formatTokenCount(model.contextWindow),
      effortsOf(model),
      model.serviceTiers?.includes('priority') === true ? 'yes' : '—',
    ]),
    bold,
  );
}

/**
 * `codetether models`: the model catalogue of the active backend (ChatGPT login, else API key).
 *
 * @param context - streams and environment
 * @param options - `--json`
 */
export async function runModels(context: CommandContext, options: ModelsOptions): Promise<ExitCode> {
  const provider = createCodexProvider({ env: context.env });
  try {
    const models = await provider.listModels({ refresh: options.refresh === true });
    const { stdout, stdoutColors: colors } = context.terminal;
    if (options.json === true) {
      stdout.write(`${toSafeJson(models, 2)}\n`);
      return EXIT_CODES.success;
    }
    const chatgpt = (await openCredentialStore(context.env).read()) !== undefined;
    stdout.write(
      `${colors.bold(chatgpt ? 'Models on your ChatGPT subscription' : 'Models on the OpenAI API (API-key mode)')}\n\n`,
    );
    for (const line of renderModelsTable(models, colors.bold)) stdout.write(`${line}\n`);
    stdout.write(
      `\n${colors.dim('Aliases: add one of the listed efforts for the reasoning effort (gpt-5.4:high, * = default);')}\n` +
        `${colors.dim('add -fast where FAST says yes for the priority tier (gpt-5.5-fast).')}\n`,
    );
    return EXIT_CODES.success;
  } finally {
    await provider.close();
  }
}
