import { describe, expect, it } from 'vitest';
import { parseErrorBody, parseUsageLimitError } from './error-body.js';

describe('parseErrorBody', () => {
  it('reads an OpenAI error object', () => {
    expect(
      parseErrorBody(
        '{"error":{"message":"Bad model.","type":"invalid_request_error","code":"model_not_found","param":"model"}}',
      ),
    ).toEqual({
      message: 'Bad model.',
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      messageSource: 'message',
    });
  });

  it('reads flat and detail shapes', () => {
    expect(parseErrorBody('{"message":"Nope","code":"x"}')).toEqual({
      message: 'Nope',
      code: 'x',
      messageSource: 'message',
    });
    expect(parseErrorBody('{"detail":"Unauthorized"}')).toEqual({
      message: 'Unauthorized',
      messageSource: 'message',
    });
    expect(parseErrorBody('{"error":"Missing scopes: model.request"}')).toEqual({
      message: 'Missing scopes: model.request',
      messageSource: 'message',
    });
  });

  it('says where the message comes from', () => {
    expect(parseErrorBody('{"error":{"message":"Bad.","code":"x"}}')?.messageSource).toBe('message');
    expect(parseErrorBody('{"detail":"Unauthorized"}')?.messageSource).toBe('message');
    expect(parseErrorBody('{"error":"Missing scopes"}')?.messageSource).toBe('message');
    expect(parseErrorBody('{"error":{"code":"x","type":"y","param":"limit"}}')).toEqual({
      message: 'x',
      code: 'x',
      type: 'y',
      param: 'limit',
      messageSource: 'code-or-type',
    });
    expect(parseErrorBody('{"error":{"type":"y","message":"  "}}')).toEqual({
      message: 'y',
      type: 'y',
      messageSource: 'code-or-type',
    });
    for (const raw of [
      '<html>Bad Gateway</html>',
      'upstream connect error',
      '{"other":1}',
      '[]',
      'null',
      '{"error":{',
    ]) {
      expect(parseErrorBody(raw)).toEqual({ message: raw, messageSource: 'text' });
    }
  });

  it('uses plain text as the message and returns undefined for an empty body', () => {
    expect(parseErrorBody('<html>Bad Gateway</html>')).toEqual({
      message: '<html>Bad Gateway</html>',
      messageSource: 'text',
    });
    expect(parseErrorBody('x'.repeat(600))?.message).toHaveLength(501);
    expect(parseErrorBody('  ')).toBeUndefined();
  });

  it("uses an HTML page's title as the message (proxies' and CDNs' error pages)", () => {
    const nginx =
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
    expect(parseErrorBody(nginx)).toEqual({ message: '502 Bad Gateway', messageSource: 'text' });
    const challenge = `<!DOCTYPE html><html lang="en-US"><head><TITLE data-x="1">\n  Just a moment&#8230; Access &amp; &quot;checks&quot;\n</TITLE>${'<script>x</script>'.repeat(100)}</head></html>`;
    expect(parseErrorBody(challenge)?.message).toBe('Just a moment… Access & "checks"');
    // No title, an empty one, or a page that is not HTML: the text as before.
    expect(parseErrorBody('<html><body>Oops</body></html>')?.message).toBe('<html><body>Oops</body></html>');
    expect(parseErrorBody('<html><title>  </title>x</html>')?.message).toBe(
      '<html><title>  </title>x</html>',
    );
    expect(parseErrorBody('Error <title>not a page</title>')?.message).toBe(
      'Error <title>not a page</title>',
    );
    // A long title is cut like any other text.
    expect(parseErrorBody(`<html><title>${'t'.repeat(600)}</title></html>`)?.message).toHaveLength(501);
  });

  it('reads only the start of a page for its title, and odd markup as text', () => {
    // Searched with plain string searches in the first 64 KiB (no pattern that could backtrack).
    const hostile = `<html>${'<title'.repeat(50_000)}${'<titl>'.repeat(50_000)}`;
    expect(parseErrorBody(hostile)).toEqual({ message: `${hostile.slice(0, 500)}…`, messageSource: 'text' });
    const lateTitle = `<html>${' '.repeat(70_000)}<title>Late</title></html>`;
    expect(parseErrorBody(lateTitle)?.message).not.toBe('Late');
    expect(parseErrorBody('<html><title>a <b>b</b></title></html>')?.message).toBe(
      '<html><title>a <b>b</b></title></html>',
    );
    expect(parseErrorBody('<html><title>bad &#xFFFFFFF; &#0; &bogus; ok</title></html>')?.message).toBe(
      'bad &#xFFFFFFF; &#0; &bogus; ok',
    );
  });
});

describe('parseUsageLimitError', () => {
  const body = {
    error: {
      type: 'usage_limit_reached',
      message: 'The usage limit has been reached',
      plan_type: 'plus',
      resets_at: 1764072000,
      resets_in_seconds: 1800,
    },
  };

  it('reads the plan and the reset time (epoch ms) from an object or its JSON text', () => {
    const expected = {
      message: 'The usage limit has been reached',
      planType: 'plus',
      resetsAt: 1_764_072_000_000,
    };
    expect(parseUsageLimitError(body)).toEqual(expected);
    expect(parseUsageLimitError(JSON.stringify(body))).toEqual(expected);
  });

  it('falls back to resets_in_seconds', () => {
    expect(
      parseUsageLimitError({ error: { type: 'usage_limit_reached', resets_in_seconds: 60 } }, { now: 1000 }),
    ).toEqual({
      message: expect.stringContaining('usage limit'),
      resetsAt: 61_000,
    });
  });

  it('leaves out a reset time no date can hold', () => {
    for (const error of [
      { resets_at: 1e20 },
      { resets_in_seconds: 1e20 },
      { resets_at: 1e20, resets_in_seconds: 1e20 },
    ]) {
      expect(
        parseUsageLimitError({ error: { type: 'usage_limit_reached', ...error } })?.resetsAt,
      ).toBeUndefined();
    }
    // An out-of-range resets_at does not hide a usable resets_in_seconds.
    expect(
      parseUsageLimitError(
        { error: { type: 'usage_limit_reached', resets_at: 1e20, resets_in_seconds: 60 } },
        { now: 1000 },
      )?.resetsAt,
    ).toBe(61_000);
  });

  it('returns undefined for other errors', () => {
    expect(parseUsageLimitError({ error: { type: 'rate_limit_exceeded' } })).toBeUndefined();
    expect(parseUsageLimitError('not json')).toBeUndefined();
    expect(parseUsageLimitError(null)).toBeUndefined();
  });
});
