/** Builds an element; text goes in as text (never as HTML), so nothing from a server becomes markup. */
export function el<K extends keyof HTMLElementTagNameMap> (
  tag: K, attributes: Record<string, string> = {}, ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  element.append(...children)
  return element
}

export function button (label: string, onClick: () => void, className?: string): HTMLButtonElement {
  const element = el('button', { type: 'button', ...className === undefined ? {} : { class: className } }, label)
  element.addEventListener('click', onClick)
  return element
}

/** Replaces the main region and moves the focus there, so a screen reader announces the new screen. */
export function show (...children: Node[]): void {
  const main = document.getElementById('main') as HTMLElement
  main.replaceChildren(...children)
  main.focus()
}
