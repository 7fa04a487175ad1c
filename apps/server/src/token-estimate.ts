/** Tokens counted for an image (Anthropic's estimate for a picture of about 1,100 × 1,100). */
export const IMAGE_TOKEN_ESTIMATE = 1_600;
/** Characters per token of English text and JSON, roughly, for the o200k tokenizer. */
export const CHARACTERS_PER_TOKEN = 4;

/** Response header saying the token count is an estimate. */
export const TOKEN_COUNT_METHOD_HEADER = 'x-codetether-token-count';

/**
 * The estimated tokens of `characters` characters of text and JSON and `images` images (about four
 * characters a token; no tokenizer is bundled).
 */
export function estimateTokens(characters: number, images: number): number {
  return Math.ceil(characters / CHARACTERS_PER_TOKEN) + images * IMAGE_TOKEN_ESTIMATE;
}
