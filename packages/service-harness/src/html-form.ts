/** A form of a server-rendered page, as a browser would submit it without script. */
export interface HtmlForm {
  /** `GET` or `POST`. */
  method: string
  /** The `action` attribute as written (resolve it against the page's URL); '' when absent. */
  action: string
  /** Every named `<input>` with its value (hidden, text and password inputs alike), in document order. */
  fields: Record<string, string>
  /** Its buttons: a pressed one adds its `name=value` (when named) to what is sent. */
  buttons: Array<{ name: string, value: string, text: string }>
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'' }

/** The character references a template engine writes when it escapes an attribute value. */
export function decodeEntities (text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole: string, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)))
    return ENTITIES[name.toLowerCase()] ?? whole
  })
}

/** The attributes of one start tag (`<input type="hidden" name="x" value="y" required>`), names lower-cased. */
export function attributesOf (tag: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  const body = tag.replace(/^<\s*[a-z0-9-]+/i, '').replace(/\/?>$/, '')
  for (const match of body.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = (match[1] ?? '').toLowerCase()
    attributes[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return attributes
}

/**
 * The forms of a page the service renders itself: each `<form>` up to its `</form>`, with its named
 * inputs. A regular-expression reading, fit for known server-rendered markup, not for any HTML.
 */
export function formsOf (html: string): HtmlForm[] {
  return [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form\s*>/gi)].map(([markup]) => {
    const attributes = attributesOf(/^<form\b[^>]*>/i.exec(markup)?.[0] ?? '')
    const fields: Record<string, string> = {}
    for (const [input] of markup.matchAll(/<input\b[^>]*>/gi)) {
      const { name, value = '' } = attributesOf(input)
      if (name) fields[name] = value
    }
    // A button's name and value go with the form only when it is the one pressed: the caller picks it.
    const buttons = [...markup.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button\s*>/gi)].map(([tag, text = '']) => {
      const { name = '', value = '' } = attributesOf(/^<button\b[^>]*>/i.exec(tag)?.[0] ?? '')
      return { name, value, text: decodeEntities(text.replace(/<[^>]*>/g, '').trim()) }
    })
    return { method: (attributes.method ?? 'get').toUpperCase(), action: attributes.action ?? '', fields, buttons }
  })
}
