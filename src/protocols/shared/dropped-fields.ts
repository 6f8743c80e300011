/**
 * The paths present in what the partner sent but absent from what validation kept: the unknown fields
 * that were dropped (names only, never values). For the debug log.
 */
export function droppedFields(sent: unknown, kept: unknown, path = ''): string[] {
  if (sent === null || typeof sent !== 'object' || kept === null || typeof kept !== 'object') return [];
  if (Array.isArray(sent)) {
    return Array.isArray(kept) ? sent.flatMap((item, index) => droppedFields(item, kept[index], `${path}[${index}]`)) : [];
  }
  const keptObject = kept as Record<string, unknown>;
  return Object.entries(sent as Record<string, unknown>).flatMap(([key, value]) => {
    const child = path ? `${path}.${key}` : key;
    return key in keptObject ? droppedFields(value, keptObject[key], child) : [child];
  });
}
