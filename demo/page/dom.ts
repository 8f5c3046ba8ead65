/** Table cells of the demo page (element look-up is dashboard/dom.ts's `byId`, shared). */

/** Appends a cell with this text (and class) to the row, and returns it. */
export function cell(tr: HTMLTableRowElement, text: string, cls?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}
