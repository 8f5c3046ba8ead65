/**
 * Looking up a page's elements, for the dashboard's and the demo's page scripts. A script and its
 * index.html change together; when they drift apart these throw an error naming what is missing
 * instead of a TypeError on `null` later.
 */

/** An element class such as `HTMLTableElement`, used to check what an id points at. */
type ElementClass<T extends Element> = { new (): T; prototype: T };

/** The element with `id`, checked to be a `type` (default any HTML element). */
export function byId(id: string): HTMLElement;
export function byId<T extends HTMLElement>(id: string, type: ElementClass<T>): T;
export function byId(id: string, type: ElementClass<HTMLElement> = HTMLElement): HTMLElement {
  // Typed wider than getElementById's HTMLElement: an id can also name an SVG element.
  const el: Element | null = document.getElementById(id);
  if (!el) throw new Error(`the page has no element #${id}`);
  if (!(el instanceof type))
    throw new Error(`#${id} is a <${el.tagName.toLowerCase()}>, not a ${type.name}`);
  return el;
}

/** The first element matching `selector` inside `root`. */
export function find(selector: string, root: ParentNode = document): Element {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`the page has no element matching ${selector}`);
  return el;
}

/** The nearest ancestor of `el` (or `el` itself) matching `selector`. */
export function closest(el: Element, selector: string): Element {
  const found = el.closest(selector);
  if (!found) throw new Error(`#${el.id} is not inside ${selector}`);
  return found;
}

/** `el.dataset[key]`, which the page's markup must set. */
export function data(el: HTMLElement, key: string): string {
  const value = el.dataset[key];
  if (value === undefined) throw new Error(`${el.outerHTML} has no data-${key}`);
  return value;
}
