/**
 * Boilerplate removal: the article text without furniture (share buttons, "Source link",
 * copyright lines, bylines, datelines, photo captions, reporter e-mails, Korean portal
 * footers), so that copies dressed differently by each outlet sign alike.
 */

/**
 * Segments (sentences) removed whole: they start with a label that means "not the article".
 * Text arrives whitespace-collapsed (htmlToPlainText), so lines are gone: we cut at sentence ends
 * and test each segment's start. Case-insensitive; applied after NFKC.
 */
const DROP_SEGMENT = new RegExp(
  '^(?:' +
    [
      'source link',
      'read more',
      'read the full',
      'continue reading',
      'related (?:articles?|stories|news|coverage|links?)',
      'more (?:stories|news) from',
      'see also',
      'recommended',
      'most read',
      'trending now',
      'all rights reserved',
      'copyright\\b',
      '©',
      '\\(c\\) ?\\d{4}',
      'this (?:article|story|post) (?:was|first|originally|appeared)',
      'originally published',
      'first published',
      'sign up',
      'subscribe',
      'follow us',
      'click here',
      'share this',
      'share on',
      'reporting by',
      'editing by',
      'writing by',
      'additional reporting',
      'contact the reporter',
      'photo\\s*[:=-]',
      'photos?\\s+by\\b',
      'file photo',
      'image\\s*[:=]',
      'caption\\s*:',
      'video\\s*:',
      'graphic\\s*:',
      '\\(photo',
      '\\[photo',
      '\\(image',
      '\\(file photo',
      // Korean portal and wire furniture
      '무단\\s?전재',
      '저작권자',
      'ⓒ',
      '<저작권자',
      '▶',
      '▲',
      '☞',
      '■\\s?관련',
      '관련\\s?기사',
      '기사\\s?원문',
      '기사\\s?제보',
      '구독',
      '공유하기',
      '좋아요',
      '많이 본 뉴스',
      '이 기사를 추천',
    ].join('|') +
    ')',
  'iu',
);

/** Footer phrases that condemn a short segment wherever they appear in it ("ⓒ 매일 … 무단전재 및 재배포 금지"). */
const FOOTER_PHRASES = ['©', 'ights reserved', 'IGHTS RESERVED', 'opyright', '무단', '재배포', '저작권'];
const FOOTER_MAX_LENGTH = 160;

/** Labels that are boilerplate when they are all a segment holds, or when they precede a capitalized sentence. */
const LABEL =
  /^(?:[Ss]hare|SHARE|[Tt]weet|[Ee]-?mail|[Pp]rint|[Aa]dvertisement|ADVERTISEMENT|[Ss]ponsored|[Ff]acebook|[Tt]witter|[Ll]inked[Ii]n|[Ww]hats[Aa]pp|[Kk]akao[Tt]alk|[Ll]ink copied|[Cc]opy link|[Gg]ift this article|공유하기|공유|스크랩|인쇄|광고|닫기)(?![\p{L}\p{N}])[\s:|·•]*/u;

/**
 * Prefixes cut from a segment (the rest is kept), each with a test of the segment's first
 * characters so that ordinary sentences (nearly all of them) cost no regex run.
 */
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const SEGMENT_PREFIXES: readonly { applies: (segment: string, c0: number) => boolean; pattern: RegExp }[] = [
  // Wire datelines: "SEOUL, March 3 (Yonhap) --", "WASHINGTON (AP) —"
  {
    applies: (s, c0) => isUpper(c0) && isUpper(s.charCodeAt(1)),
    pattern: /^[A-Z][A-Z .'-]{1,40}(?:, [A-Z][a-z]{2,9}\.? \d{1,2})?(?: \([^)]{2,30}\))? (?:--|—|–)\s*/u,
  },
  // Bylines: "By Kim Min-su, Staff Reporter", "By Jane Doe |"
  {
    applies: (s, c0) => (c0 === 0x42 || c0 === 0x62) && s.charCodeAt(1) === 0x79 && s.charCodeAt(2) === 0x20,
    pattern:
      /^[Bb]y [A-Z][\p{L}.'-]+(?: [A-Z][\p{L}.'-]+){0,3}(?:,? (?:[Ss]taff |[Ss]enior |[Cc]hief )?(?:[Rr]eporter|[Ww]riter|[Cc]orrespondent|[Ee]ditor)s?)?(?:\s*[|,;:-]\s*|\s+(?=[A-Z]))/u,
  },
  // Time stamps: "Updated: 2026-03-03 10:32 KST", "입력 2026.03.03 10:32"
  {
    applies: (_s, c0) => 'UuPpLl입수승기'.includes(String.fromCharCode(c0)),
    pattern:
      /^(?:[Uu]pdated|UPDATED|[Pp]ublished|PUBLISHED|[Pp]osted|[Ll]ast updated|입력|수정|승인|기사입력)\s*:?\s*[\d\s.:/-]{6,}(?:KST|GMT|UTC|kst|gmt|utc|[AaPp][Mm])?\s*/u,
  },
  // Korean datelines and bylines: "(서울=한빛통신)", "[매일한결신문 이지은 기자]", "김민수 기자 ="; a lone credit "(Peninsula Times)"
  { applies: (_s, c0) => c0 === 0x28 || c0 === 0x5b, pattern: /^(?:[([][^)\]=]{1,20}=[^)\]]{1,20}[)\]]|\[[^\]]{1,30}기자\]|\([^()]{2,40}\))\s*/u },
  { applies: (s, c0) => c0 >= 0xac00 && c0 <= 0xd7a3 && /기자|특파원/.test(s.slice(0, 24)), pattern: /^[\p{Script=Hangul} ]{1,20}(?:특파원|기자)\s?=\s*/u },
];

/** First letters of the LABEL words: a segment starting otherwise needs no LABEL run. */
const LABEL_INITIALS = new Set('SsTtEePpAaFfLlWwKkCcGg공스인광닫');

/**
 * Removed anywhere, each pattern behind a cheap substring guard (an unanchored regex costs a few
 * µs per 3 KB even when it never matches; the e-mail pattern alone cost 30 µs unguarded).
 */
const ANYWHERE: readonly { guard: (text: string) => boolean; pattern: RegExp }[] = [
  { guard: (t) => t.includes('@'), pattern: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu },
  { guard: (t) => t.includes('http') || t.includes('www.'), pattern: /(?:https?:\/\/|www\.)\S+/gu },
  // Korean photo credits and bylines: "사진=국방부 제공", "[사진=연합뉴스]", "김민수 기자 ="
  { guard: (t) => t.includes('='), pattern: /[([]?(?:사진|그래픽|영상)\s?=\s?[^\s\])]+(?:\s?제공)?[)\]]?|[\p{Script=Hangul}]{2,4} ?(?:기자|특파원) ?= ?/gu },
];

// "(Yonhap)", "(AP)", "[AFP=Yonhap]", "(KCNA/Yonhap)", "(서울=연합뉴스)", "(국방부 제공)": a short credit.
// Sticky, tried only where a bracket opens.
const CREDIT =
  /[([](?:[A-Z][A-Za-z]*(?:[ /=-][A-Z][A-Za-z]*){0,2}|[^()[\]=]{1,20}=[^()[\]]{1,20}|[\p{Script=Hangul}]{2,8}\s?제공)[)\]](?=\s*$|\s*[.,]|\s+[A-Z\p{Script=Hangul}])/uy;
// A dateline inside a sentence ("Their report in full: SEOUL, March 3 (Yonhap) -- …"), matched
// backwards from its ") --".
const DATELINE_BEFORE = /[A-Z]{3,}[A-Z .'-]*, [A-Z][a-z]{2,9}\.? \d{1,2} \([^)]{2,30}\)$/u;

/**
 * Removes credits and mid-sentence datelines from a segment that has brackets, leaving a line
 * break in their place: a credit ends a caption ("Photo: … (KCNA) North Korea fired …" has no
 * full stop between caption and story), a dateline starts the story.
 */
function removeCreditsAndDatelines(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x28 && c !== 0x5b && c !== 0x29) continue;
    if (c === 0x29) {
      // ") --", ") —", ") –" closing a dateline that does not open the text
      const next = text.charCodeAt(i + 2);
      if (i < 12 || text.charCodeAt(i + 1) !== 0x20 || !(next === 0x2d || next === 0x2014 || next === 0x2013)) continue;
      const from = Math.max(copied, i - 70);
      const match = DATELINE_BEFORE.exec(text.slice(from, i + 1));
      if (match === null) continue;
      let end = i + 2;
      while (end < text.length && (text.charCodeAt(end) === 0x2d || text.charCodeAt(end) === 0x2014 || text.charCodeAt(end) === 0x2013)) end++;
      out += `${text.slice(copied, from + match.index)}\n`;
      copied = end;
      i = end - 1;
      continue;
    }
    CREDIT.lastIndex = i;
    const match = CREDIT.exec(text);
    if (match === null) continue;
    out += `${text.slice(copied, i)}\n`;
    copied = i + match[0].length;
    i = copied - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const SENTENCE_END = /[.!?\u3002][ \n]|\n/g;

/** Cuts after sentence-ending punctuation followed by a space, and at line breaks. */
function splitSentences(text: string): string[] {
  const segments: string[] = [];
  let start = 0;
  SENTENCE_END.lastIndex = 0;
  for (let match = SENTENCE_END.exec(text); match !== null; match = SENTENCE_END.exec(text)) {
    const end = match[0] === '\n' ? match.index : match.index + 1;
    segments.push(text.slice(start, end));
    start = match.index + match[0].length;
  }
  if (start < text.length) segments.push(text.slice(start));
  return segments;
}

/**
 * The article text without furniture. Works on whitespace-collapsed text (what htmlToPlainText
 * gives): cuts it into sentences and drops the ones that are share buttons, copyright lines,
 * captions and the like; strips datelines, bylines and agency credits. Input should be NFKC.
 */
export function stripBoilerplate(text: string): string {
  for (const { guard, pattern } of ANYWHERE) if (guard(text)) text = text.replace(pattern, ' ');
  // Every segment tested below is a substring of `text` (sentences, pieces between credits,
  // trimmed, labels and prefixes cut off), so a footer phrase absent from the whole text is
  // absent from all of them. One substring search per phrase over the text is cheaper than a
  // regex over every sentence, and most bodies have no footer phrase at all.
  const footerPhrases = FOOTER_PHRASES.filter((phrase) => text.includes(phrase));
  const kept: string[] = [];
  for (const sentence of splitSentences(text)) {
    const pieces = sentence.includes('(') || sentence.includes('[') ? removeCreditsAndDatelines(sentence).split('\n') : [sentence];
    for (const piece of pieces) keepUnlessBoilerplate(piece, footerPhrases, kept);
  }
  return kept.join(' ');
}

/** Pushes the segment, less its leading labels, datelines and bylines, unless it is furniture. */
function keepUnlessBoilerplate(segment: string, footerPhrases: readonly string[], kept: string[]): void {
  segment = segment.trim();
  for (let guard = 0; guard < 4 && segment !== ''; guard++) {
    const label = LABEL_INITIALS.has(segment[0]!) ? LABEL.exec(segment) : null;
    if (label !== null) {
      const rest = segment.slice(label[0].length);
      // "Share" alone, or before a capitalized sentence, is a button; "Share prices rose" is prose.
      if (rest === '' || /^[\p{Lu}\p{Lo}"'“‘(\d]/u.test(rest)) {
        segment = rest;
        continue;
      }
    }
    const prefix = firstPrefix(segment);
    if (prefix > 0) {
      segment = segment.slice(prefix).trim();
      continue;
    }
    break;
  }
  if (segment === '' || DROP_SEGMENT.test(segment)) return;
  if (segment.length <= FOOTER_MAX_LENGTH && footerPhrases.some((phrase) => segment.includes(phrase))) return;
  kept.push(segment);
}

function firstPrefix(segment: string): number {
  const c0 = segment.charCodeAt(0);
  for (const { applies, pattern } of SEGMENT_PREFIXES) {
    if (!applies(segment, c0)) continue;
    const match = pattern.exec(segment);
    if (match !== null && match[0].length > 0) return match[0].length;
  }
  return 0;
}
