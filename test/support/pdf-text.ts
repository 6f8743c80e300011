import { inflateSync } from 'node:zlib';

/**
 * The text a PDF shows, read back without a PDF library: pdfkit writes text as hex glyph ids (`<0012…> Tj` or in
 * `[…] TJ` arrays) in Flate streams, with a ToUnicode CMap per embedded font; this maps each id back to Unicode.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const objects = new Map<string, { dict: string; stream?: string }>();
  const header = /(\d+) 0 obj\s*/g;
  for (let m = header.exec(raw); m; m = header.exec(raw)) {
    const start = m.index + m[0].length;
    const streamAt = raw.indexOf('stream', start);
    const endAt = raw.indexOf('endobj', start);
    if (streamAt < 0 || streamAt > endAt) { objects.set(m[1], { dict: raw.slice(start, endAt) }); continue; }
    const dict = raw.slice(start, streamAt);
    const length = Number(/\/Length (\d+)/.exec(dict)![1]);
    const dataAt = streamAt + 6 + (raw[streamAt + 6] === '\r' ? 2 : 1);
    let bytes = Buffer.from(raw.slice(dataAt, dataAt + length), 'latin1');
    if (/FlateDecode/.test(dict)) bytes = inflateSync(bytes);
    objects.set(m[1], { dict, stream: bytes.toString('latin1') });
    header.lastIndex = raw.indexOf('endobj', dataAt + length);
  }
  const cmapOf = (fontRef: string) => {
    const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(objects.get(fontRef)?.dict ?? '')?.[1];
    const map = new Map<string, string>();
    const text = toUnicode ? objects.get(toUnicode)?.stream ?? '' : '';
    const hex = (h: string) => String.fromCharCode(...(h.replace(/\s+/g, '').match(/.{4}/g) ?? []).map((u) => parseInt(u, 16)));
    for (const range of text.matchAll(/<([0-9a-f]+)> <([0-9a-f]+)> \[([^\]]*)\]/gi)) {
      const start = parseInt(range[1], 16);
      [...range[3].matchAll(/<([0-9a-f ]*)>/gi)].forEach((u, i) => map.set((start + i).toString(16).padStart(4, '0'), hex(u[1])));
    }
    for (const pair of text.matchAll(/<([0-9a-f]{4})> <([0-9a-f]+)>\s*$/gim)) map.set(pair[1].toLowerCase(), hex(pair[2]));
    return map;
  };
  const fonts = new Map<string, Map<string, string>>();
  let out = '';
  for (const { dict, stream } of objects.values()) {
    const resources = /\/Font\s*<<([^>]*)>>/.exec(dict)?.[1];
    if (resources) for (const f of resources.matchAll(/\/(\w+) (\d+) 0 R/g)) fonts.set(f[1], cmapOf(f[2]));
    void stream;
  }
  for (const { stream } of objects.values()) {
    if (!stream || !/ Tf/.test(stream)) continue;
    let cmap = new Map<string, string>();
    for (const token of stream.matchAll(/\/(\w+) [\d.]+ Tf|\[([^\]]*)\] TJ|<([0-9a-f]+)> Tj/gi)) {
      if (token[1]) cmap = fonts.get(token[1]) ?? new Map();
      const hexes = token[2] ? [...token[2].matchAll(/<([0-9a-f]+)>/gi)].map((h) => h[1]) : token[3] ? [token[3]] : [];
      for (const h of hexes) for (const id of h.match(/.{4}/g) ?? []) out += cmap.get(id.toLowerCase()) ?? '';
      if (hexes.length) out += ' ';
    }
  }
  return out;
}
