/**
 * Titles are plain text (JSON Feed 1.1 says so; RSS does not say, and many readers show an
 * RSS title as HTML). A title that still holds something shaped like an HTML tag (a
 * publisher's decoded `&lt;script&gt;`, an Atom text title naming a tag) would become markup
 * in those readers, so tags are dropped from every title we write. Angle brackets that are
 * not tags stay: Korean headlines use them as punctuation (`<단독>`, `<인터뷰>`), and `a < b`
 * is prose. What remains is escaped by the writer of each format.
 */
const TAG_LIKE = /<!--[\s\S]*?(?:-->|$)|<\/?[A-Za-z][^<>]*(?:>|$)|<![A-Za-z[][^<>]*>|<\?[^<>]*>/g;

export function plainTitle(title: string): string {
  if (!title.includes('<')) return title;
  return title.replace(TAG_LIKE, ' ').replace(/\s+/g, ' ').trim();
}
