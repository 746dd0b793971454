// Reading pages as a browser shows them: a real HTML parser, so assertions are about what a person reads (text,
// field values), not about how the markup happens to escape it.
import { parse, type HTMLElement } from 'node-html-parser';

export const parseHtml = (html: string): HTMLElement => parse(html);

/** The page's text as a reader sees it: tags gone, entities decoded, blanks collapsed. */
export function visibleText(html: string): string {
  return parse(html).querySelector('body')?.textContent.replace(/\s+/g, ' ').trim() ?? '';
}

/** The value of a form field (`<input>` or `<textarea>`) by its id. */
export function fieldValue(html: string, id: string): string | undefined {
  const el = parse(html).querySelector(`#${id}`);
  if (!el) return undefined;
  return el.tagName === 'TEXTAREA' ? el.textContent : el.getAttribute('value');
}
