/** Types of scripts/ocen-spec.js, for the test that proves the patches. */
export interface JsonPatchOperation {
  op: 'test' | 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}
export interface SpecPatch {
  id: string;
  defect: string;
  fix: string;
  ops: JsonPatchOperation[];
}
/** Applies RFC 6902 `test`, `add`, `replace` and `remove` operations to `doc` in place. */
export function applyOperations(doc: unknown, ops: JsonPatchOperation[]): void;
/** The patched document as text: raw + every patch, in order, pretty-printed. */
export function patchedText(rawText: string, patchSet: { patches: SpecPatch[] }): string;
