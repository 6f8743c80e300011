/** Salutations and honorifics dropped from the front of a name before it is compared. */
const SALUTATIONS: ReadonlySet<string> = new Set(['MR', 'MRS', 'MS', 'MISS', 'MX', 'DR', 'PROF', 'SHRI', 'SRI', 'SMT', 'SHRIMATI', 'SUSHRI', 'KUM', 'MASTER']);

/**
 * A name as the tokens it is compared by: accents dropped (NFKD), upper-cased, apostrophes removed (D'SOUZA →
 * DSOUZA), every other character that is not a letter (punctuation, digits, spaces of any kind) a separator,
 * and the salutations at its front dropped (MRS NAMRTA SHAH → NAMRTA, SHAH).
 */
export function nameTokens(name: string): string[] {
  const tokens = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/['’`]/g, '')
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
  while (tokens.length > 1 && SALUTATIONS.has(tokens[0])) tokens.shift();
  return tokens;
}

/**
 * Whether two names are the same person's, as the bank compares the name its penny-drop answered with the
 * borrower's name on record: after `nameTokens`, every token of the name with fewer tokens is found in the
 * other (each token used once, in any order). So `Mrs. Namrta N. Shah` matches `NAMRTA SHAH` and `SHAH NAMRTA`,
 * `Asha Rao` matches `ASHA RAO`, but `RAHUL SHARMA` does not match `Asha Rao`, nor `NAMRTA SHAH` `NAMRTA SHAHANI`.
 * A name with no letters matches nothing.
 */
export function namesMatch(a: string, b: string): boolean {
  const left = nameTokens(a);
  const right = nameTokens(b);
  if (left.length === 0 || right.length === 0) return false;
  const [shorter, longer] = left.length <= right.length ? [left, right] : [right, left];
  const pool = [...longer];
  return shorter.every((token) => {
    const at = pool.indexOf(token);
    if (at < 0) return false;
    pool.splice(at, 1);
    return true;
  });
}
