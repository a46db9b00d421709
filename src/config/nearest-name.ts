/**
 * "Did you mean …?" for names typed into feeds.config.json: field names, enum values and
 * topic slugs. Only a close match is offered; a far one would send the reader the wrong way.
 */

/**
 * Edit distance counting an insertion, a deletion, a substitution or a swap of two
 * neighbouring letters as one edit (optimal string alignment). Case is ignored, so that
 * "maxstories" finds "maxStories".
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // rows[i][j]: distance between the first i characters of s and the first j of t.
  const rows: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    const row = rows[i]!;
    const above = rows[i - 1]!;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[s.length]![t.length]!;
}

/**
 * The candidate `name` most likely misspells, or null when none is close: at most one edit
 * per three characters of the name (at least one, at most three), so "topic" finds
 * "topics" and "concurency" finds "concurrency" but "name" does not find "title".
 */
export function nearestName(name: string, candidates: readonly string[]): string | null {
  const allowed = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

const LISTED = 12;

/** `a, b, c`, cut after a dozen names: what to offer when no name is near. */
export function namesList(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, LISTED).join(', ');
  return names.length > LISTED ? `${shown}, … (${names.length - LISTED} more)` : shown;
}
