import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeFeed } from '../../../../src/ingest/parse/decode.ts';

const KOREAN = '서울 지하철 요금, 내년 상반기 150원 인상';

function xml(body: string, encoding?: string): string {
  const declaration = encoding === undefined ? '<?xml version="1.0"?>' : `<?xml version="1.0" encoding="${encoding}"?>`;
  return `${declaration}<rss version="2.0"><channel><title>${body}</title></channel></rss>`;
}

function bytes(text: string, encoding: string): Uint8Array {
  return new Uint8Array(iconv.encode(text, encoding));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('decodeFeed: byte order marks', () => {
  it('lets a UTF-8 BOM win over the Content-Type charset and the XML declaration', () => {
    const input = concat(Uint8Array.of(0xef, 0xbb, 0xbf), bytes(xml(KOREAN, 'EUC-KR'), 'utf-8'));
    const { text, encoding } = decodeFeed(input, 'application/rss+xml; charset=iso-8859-1');
    expect(encoding).toBe('utf-8');
    expect(text).toBe(xml(KOREAN, 'EUC-KR'));
  });

  it('decodes UTF-16LE with a BOM', () => {
    const input = concat(Uint8Array.of(0xff, 0xfe), bytes(xml('Ünïcödé'), 'utf-16le'));
    expect(decodeFeed(input, null)).toEqual({ text: xml('Ünïcödé'), encoding: 'utf-16le' });
  });

  it('decodes UTF-16BE with a BOM', () => {
    const input = concat(Uint8Array.of(0xfe, 0xff), bytes(xml('Ünïcödé'), 'utf-16be'));
    expect(decodeFeed(input, null)).toEqual({ text: xml('Ünïcödé'), encoding: 'utf-16be' });
  });

  it('recognizes BOM-less UTF-16LE by the zero bytes around "<" (XML 1.0 Appendix F)', () => {
    const input = bytes(xml('Ünïcödé'), 'utf-16le');
    expect(decodeFeed(input, 'text/xml; charset=iso-8859-1')).toEqual({ text: xml('Ünïcödé'), encoding: 'utf-16le' });
  });

  it('decodes UTF-32 with a BOM, which TextDecoder does not support', () => {
    const input = concat(Uint8Array.of(0x00, 0x00, 0xfe, 0xff), bytes(xml('Ünïcödé'), 'utf-32be'));
    expect(decodeFeed(input, null).text).toBe(xml('Ünïcödé'));
  });
});

describe('decodeFeed: labels', () => {
  it('prefers the Content-Type charset over the XML declaration', () => {
    const input = bytes(xml('Как пережить', 'windows-1251'), 'koi8-r');
    const { text, encoding } = decodeFeed(input, 'text/xml; charset=KOI8-R');
    expect(encoding).toBe('koi8-r');
    expect(text).toContain('Как пережить');
  });

  it('uses the XML declaration when the Content-Type has no charset', () => {
    const { text, encoding } = decodeFeed(bytes(xml(KOREAN, 'EUC-KR'), 'euc-kr'), 'application/rss+xml');
    expect(encoding).toBe('euc-kr');
    expect(text).toContain(KOREAN);
  });

  it('falls back to the declared encoding when the header says UTF-8 but the bytes are not UTF-8', () => {
    const { text, encoding } = decodeFeed(bytes(xml(KOREAN, 'EUC-KR'), 'euc-kr'), 'text/xml; charset=UTF-8');
    expect(encoding).toBe('euc-kr');
    expect(text).toContain(KOREAN);
  });

  it('reads valid multibyte UTF-8 as UTF-8 even when labelled ISO-8859-1', () => {
    const { text, encoding } = decodeFeed(bytes(xml('Café — naïve'), 'utf-8'), 'text/xml; charset=ISO-8859-1');
    expect(encoding).toBe('utf-8');
    expect(text).toContain('Café — naïve');
  });

  it('reads valid UTF-8 Korean as UTF-8 even when labelled EUC-KR', () => {
    const { text, encoding } = decodeFeed(bytes(xml(KOREAN, 'EUC-KR'), 'utf-8'), null);
    expect(encoding).toBe('utf-8');
    expect(text).toContain(KOREAN);
  });

  it('keeps a multibyte legacy label when the bytes are valid UTF-8 only by a short accident', () => {
    // C3 A9 is "é" in UTF-8 and a Hangul syllable in EUC-KR: one character is not enough evidence.
    const { encoding } = decodeFeed(bytes(xml('caf\u00e9', 'euc-kr'), 'utf-8'), null);
    expect(encoding).toBe('euc-kr');
  });

  it('decodes ISO-8859-1 labels as windows-1252, keeping curly quotes and the euro sign (bytes 0x80–0x9F)', () => {
    const input = concat(
      bytes('<?xml version="1.0" encoding="ISO-8859-1"?><t>', 'latin1'),
      Uint8Array.of(0x93, 0x80, 0x35, 0x94, 0xe9),
      bytes('</t>', 'latin1'),
    );
    const { text, encoding } = decodeFeed(input, null);
    expect(encoding).toBe('windows-1252');
    expect(text).toContain('<t>“€5”é</t>');
  });

  it('decodes the CP949 extension syllables under the euc-kr label (WHATWG euc-kr)', () => {
    const { text } = decodeFeed(bytes(xml('똠방각하 햏 뷁', 'euc-kr'), 'cp949'), 'application/rss+xml; charset=euc-kr');
    expect(text).toContain('똠방각하 햏 뷁');
  });

  it('decodes labels TextDecoder rejects, such as cp949 and x-windows-949', () => {
    expect(decodeFeed(bytes(xml(KOREAN), 'cp949'), 'text/xml; charset=cp949').text).toContain(KOREAN);
    expect(decodeFeed(bytes(xml(KOREAN), 'cp949'), 'text/xml; charset=x-windows-949').text).toContain(KOREAN);
  });

  it('ignores an unknown charset label and uses the next source of truth', () => {
    const { text, encoding } = decodeFeed(bytes(xml(KOREAN, 'euc-kr'), 'euc-kr'), 'text/xml; charset=bogus-charset');
    expect(encoding).toBe('euc-kr');
    expect(text).toContain(KOREAN);
  });

  it.each([
    ['Shift_JIS', 'shift_jis', 'ゲーム三昧な正月'],
    ['EUC-JP', 'euc-jp', 'ゲーム三昧な正月'],
    ['GB18030', 'gb18030', '不归移民漫画系列：专业工作'],
    ['GBK', 'gbk', '不归移民漫画系列'],
    ['Big5', 'big5', '我希望很容易翻成中文'],
    ['KOI8-R', 'koi8-r', 'Как пережить новогоднюю ночь'],
    ['windows-1251', 'windows-1251', 'Как пережить новогоднюю ночь'],
    ['ISO-8859-2', 'iso-8859-2', 'Zażółć gęślą jaźń'],
    ['windows-1255', 'windows-1255', 'שלום עולם'],
  ])('decodes %s declared in the XML declaration', (label, iconvName, sample) => {
    expect(decodeFeed(bytes(xml(sample, label), iconvName), 'application/xml').text).toContain(sample);
  });
});

describe('decodeFeed: no label', () => {
  it('reads valid UTF-8 as UTF-8', () => {
    expect(decodeFeed(bytes(xml(KOREAN), 'utf-8'), null)).toEqual({ text: xml(KOREAN), encoding: 'utf-8' });
  });

  it('reads bytes that are not UTF-8 at all as windows-1252', () => {
    const { text, encoding } = decodeFeed(bytes(xml('España año'), 'latin1'), null);
    expect(encoding).toBe('windows-1252');
    expect(text).toContain('España año');
  });

  it('keeps mostly-UTF-8 text as UTF-8, replacing the stray byte', () => {
    const input = concat(bytes('<t>한국어 텍스트 ', 'utf-8'), Uint8Array.of(0xff), bytes('</t>', 'utf-8'));
    const { text, encoding } = decodeFeed(input, null);
    expect(encoding).toBe('utf-8');
    expect(text).toBe('<t>한국어 텍스트 \uFFFD</t>');
  });

  it('decodes an empty body to empty text', () => {
    expect(decodeFeed(new Uint8Array(0), null)).toEqual({ text: '', encoding: 'utf-8' });
  });
});

describe('decodeFeed: JSON (RFC 8259 §8.1: UTF-8)', () => {
  const json = (title: string) => `\n {"version": "https://jsonfeed.org/version/1.1", "title": "${title}", "items": []}`;

  it('reads JSON as UTF-8 whatever legacy charset the Content-Type names', () => {
    // Two Hangul syllables are too few to overrule an EUC-KR label on an XML document.
    expect(decodeFeed(bytes(json('서울'), 'utf-8'), 'text/plain; charset=euc-kr')).toEqual({ text: json('서울'), encoding: 'utf-8' });
  });

  it('replaces bytes that are not UTF-8 in JSON instead of reading it as windows-1252', () => {
    expect(decodeFeed(bytes(json('España'), 'latin1'), null)).toEqual({ text: json('Espa\uFFFDa'), encoding: 'utf-8' });
  });

  it('recognizes BOM-less UTF-16LE JSON by the zero bytes around "{" (RFC 4627 §3)', () => {
    const input = bytes(json('Ünïcödé').trimStart(), 'utf-16le');
    expect(decodeFeed(input, 'application/json')).toEqual({ text: json('Ünïcödé').trimStart(), encoding: 'utf-16le' });
  });

  it('strips the UTF-8 BOM in front of JSON', () => {
    const input = concat(Uint8Array.of(0xef, 0xbb, 0xbf), bytes(json('x'), 'utf-8'));
    expect(decodeFeed(input, 'application/feed+json').text).toBe(json('x'));
  });
});

describe('decodeFeed: cleaning', () => {
  it('strips C0 control characters other than tab, line feed and carriage return', () => {
    const { text } = decodeFeed(bytes('<t>a\u0000b\u0008c\u000Bd\u001Fe\tf\ng\rh</t>', 'utf-8'), null);
    expect(text).toBe('<t>abcde\tf\ng\rh</t>');
  });

  it('strips a byte order mark that a legacy decoder left in the text', () => {
    const input = concat(bytes('\uFEFF', 'utf-8'), bytes(xml('x'), 'utf-8'));
    expect(decodeFeed(input, 'text/xml; charset=utf-8').text.charCodeAt(0)).toBe('<'.charCodeAt(0));
  });
});

describe('charsetFromContentType', () => {
  it.each([
    ['text/xml; charset=UTF-8', 'UTF-8'],
    ['application/xml;charset = us-ascii', 'us-ascii'],
    ['text/xml; charset="euc-kr"', 'euc-kr'],
    ['text/xml;', null],
    ['application/rss+xml', null],
  ])('reads %j as %j', (contentType, charset) => {
    expect(charsetFromContentType(contentType)).toBe(charset);
  });
});
