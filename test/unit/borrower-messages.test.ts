import fs from 'node:fs';
import path from 'node:path';
import { CATALOGUES, LANGS } from '../../src/protocols/borrower/page-renderer';
import { parseRupeesText } from '../../src/core/money/money';

describe('message catalogues of the borrower pages', () => {
  it('then every language has exactly the keys of English, each with text, and the same placeholders', () => {
    const keys = Object.keys(CATALOGUES.en).sort();
    for (const lang of LANGS) {
      const catalogue = CATALOGUES[lang] as Record<string, string>;
      expect(Object.keys(catalogue).sort()).toEqual(keys);
      for (const key of keys) {
        expect(catalogue[key].trim()).not.toBe('');
        const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
        expect([key, placeholders(catalogue[key])]).toEqual([key, placeholders((CATALOGUES.en as Record<string, string>)[key])]);
      }
    }
  });

  it('then every key a view names exists in the catalogues', () => {
    const views = path.resolve(__dirname, '../../src/protocols/borrower/views');
    for (const file of fs.readdirSync(views)) {
      const text = fs.readFileSync(path.join(views, file), 'utf8');
      for (const [, key] of text.matchAll(/it\.t\('([^']+)'\s*[,)]/g)) expect([file, key in CATALOGUES.en]).toEqual([file, true]);
    }
  });

  it('then no view has inline script or style', () => {
    const views = path.resolve(__dirname, '../../src/protocols/borrower/views');
    for (const file of fs.readdirSync(views)) {
      const text = fs.readFileSync(path.join(views, file), 'utf8');
      expect([file, /<script>|<script [^>]*>[^<]|<style|\sstyle=|\son[a-z]+=/i.test(text)]).toEqual([file, false]);
    }
  });
});

describe('rupees typed by a person', () => {
  it.each([
    ['45000', 45_000_000_000n],
    ['45,000.50', 45_000_500_000n],
    ['₹ 1,20,000', 120_000_000_000n],
    ['0.05', 50_000n],
  ])('when %s is typed, then it reads as exact micros', (text, micros) => expect(parseRupeesText(text)).toBe(micros));

  it.each(['', 'abc', '1.234', '-5', '1e5', '12,34,5', '1000000000001'])('when %p is typed, then it is not an amount', (text) => expect(parseRupeesText(text)).toBeUndefined());
});
