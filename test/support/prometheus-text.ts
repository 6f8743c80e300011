/** Readers of the Prometheus text format a `/metrics` scrape answers, for the tests that check its numbers. */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of `name`, as label maps with values. */
export function samples(text: string, name: string): Sample[] {
  const found: Sample[] = [];
  for (const [, labelText, value] of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
    const labels = Object.fromEntries([...(labelText ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]));
    found.push({ labels, value: Number(value) });
  }
  return found;
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
