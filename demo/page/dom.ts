/** DOM helpers of the demo page: typed element look-up and table cells. */

/** An element class such as `HTMLInputElement`. */
type ElementClass<T extends HTMLElement> = { new (): T; prototype: T };

/**
 * The element of index.html with this id, checked to be of the given class (default any
 * HTMLElement). Throws when the page has none, so a broken index.html fails with its name instead
 * of a null dereference somewhere later.
 * @example byId('volume', HTMLInputElement).value
 */
export function byId(id: string): HTMLElement;
export function byId<T extends HTMLElement>(id: string, type: ElementClass<T>): T;
export function byId(id: string, type: ElementClass<HTMLElement> = HTMLElement): HTMLElement {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`demo page: no ${type.name} #${id} in index.html`);
  return el;
}

/** Appends a cell with this text (and class) to the row, and returns it. */
export function cell(tr: HTMLTableRowElement, text: string, cls?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}
