import { describe, expect, it } from 'vitest';
import { field, fieldAll, parseMultipart, parseUrlEncoded } from '../../../src/http/form-body.ts';

describe('form bodies', () => {
  it('reads urlencoded fields, repeated ones as lists', () => {
    const fields = parseUrlEncoded('url=https%3A%2F%2Fa.example%2Ffeed&topics=korea&topics=world&title=A+%26+B');
    expect(field(fields, 'url')).toBe('https://a.example/feed');
    expect(fieldAll(fields, 'topics')).toEqual(['korea', 'world']);
    expect(field(fields, 'title')).toBe('A & B');
    expect(field(fields, 'missing')).toBeUndefined();
    expect(field('not fields', 'x')).toBeUndefined();
  });

  it('reads multipart fields and file contents as UTF-8 text', () => {
    const boundary = '----tidings42';
    const body = Buffer.from(
      [
        `--${boundary}`,
        'Content-Disposition: form-data; name="_csrf"',
        '',
        'token-1',
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="subs.opml"',
        'Content-Type: text/x-opml',
        '',
        '<opml>\r\n<body>한국</body></opml>',
        `--${boundary}`,
        'Content-Disposition: form-data; name="opml"',
        '',
        '',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const fields = parseMultipart(body, `multipart/form-data; boundary=${boundary}`);
    expect(fields).toEqual({ _csrf: ['token-1'], file: ['<opml>\r\n<body>한국</body></opml>'], opml: [''] });
    expect(parseMultipart(body, `multipart/form-data; boundary="${boundary}"`)).toEqual(fields);
  });

  it('refuses malformed multipart bodies with 400', () => {
    expect(() => parseMultipart(Buffer.from('x'), 'multipart/form-data')).toThrow(/without a boundary/);
    expect(() => parseMultipart(Buffer.from('no delimiter here'), 'multipart/form-data; boundary=b')).toThrow(/malformed/);
    expect(() => parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'), 'multipart/form-data; boundary=b')).toThrow(
      /not terminated/,
    );
  });
});
