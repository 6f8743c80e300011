import path from 'node:path';
import { Eta } from 'eta';
import { projectRoot } from '../../lib/paths';
import en from './messages/en.json';
import hi from './messages/hi.json';

/** The languages of the borrower's pages: one message catalogue each (messages/<lang>.json, the same keys). */
export type Lang = 'en' | 'hi';
export const LANGS: readonly Lang[] = ['en', 'hi'];
export type MessageKey = keyof typeof en;
export const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, hi };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const catalogue = CATALOGUES[lang];
  return (key, params) => {
    const text = catalogue[key] ?? CATALOGUES.en[key];
    if (text === undefined) throw new Error(`no message ${key}`);
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
  };
}

export const isLang = (value: unknown): value is Lang => typeof value === 'string' && (LANGS as readonly string[]).includes(value);

/**
 * Eta (a small, maintained, dependency-free template engine with auto-escaping) over the views of
 * src/protocols/borrower/views: compiled once, cached.
 */
export class PageRenderer {
  private readonly eta = new Eta({
    views: path.join(projectRoot(), 'src', 'protocols', 'borrower', 'views'),
    cache: true,
    autoEscape: true,
    autoTrim: [false, 'nl'],
  });

  render(view: string, data: Record<string, unknown>): string {
    return this.eta.render(`./${view}`, data);
  }
}
