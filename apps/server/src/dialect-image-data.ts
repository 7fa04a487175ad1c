import { z } from 'zod';

/** Base64 (standard or URL-safe alphabet, padding optional): what image bytes are sent as. */
const BASE64 = '[A-Za-z0-9+/_-]+={0,2}';

/** The image media types the dialects accept (Anthropic's list; the Codex models read these). */
export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** The zod schema of base64 image bytes: non-empty, base64 characters only. */
export const base64ImageDataSchema = z
  .string()
  .regex(new RegExp(`^${BASE64}$`), { error: 'Invalid input: expected base64-encoded image bytes' });

/** The zod schema of base64 document bytes (a PDF): non-empty, base64 characters only. */
export const base64DocumentDataSchema = z
  .string()
  .regex(new RegExp(`^${BASE64}$`), { error: 'Invalid input: expected base64-encoded PDF bytes' });

/** The zod schema of a document URL: `http:` or `https:` only. */
export const documentUrlSchema = z
  .string()
  .regex(/^https?:\/\/[^\s]+$/i, { error: 'Invalid input: expected an http(s) URL of a PDF' });

/** The zod schema of an image URL: `http:` or `https:` only. */
export const imageUrlSchema = z
  .string()
  .regex(/^https?:\/\/[^\s]+$/i, { error: 'Invalid input: expected an http(s) URL of an image' });

/**
 * The zod schema of an Ollama image: bare base64, or a `data:image/<png|jpeg|gif|webp>;base64,` URL
 * of base64.
 */
export const ollamaImageSchema = z
  .string()
  .regex(new RegExp(`^(?:data:image/(?:png|jpeg|gif|webp);base64,)?${BASE64}$`), {
    error: 'Invalid input: expected base64-encoded image bytes (or a data:image/…;base64, URL)',
  });
