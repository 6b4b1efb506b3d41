import { describe, expect, it } from 'vitest'
import { attributesOf, decodeEntities, formsOf } from '../src/html-form.js'

describe('formsOf', () => {
  it('reads each form\'s method, action, named inputs with their decoded values, and buttons', () => {
    const html = `<p>x</p>
      <form method="post" action="/login?x=1&amp;y=2">
        <input type="hidden" name="_csrf" value="a&quot;b&#39;c&#x3c;">
        <input type=hidden name=interaction value=abc>
        <label for="userName">User name</label><input id="userName" name="userName" type="text" value="" required>
        <input name="password" type="password" required>
        <input type="submit">
        <button type="submit" name="decision" value="allow"><span>Allow</span></button>
      </form>
      <form action='/logout'><button>Sign out</button></form>`
    expect(formsOf(html)).toEqual([
      {
        method: 'POST',
        action: '/login?x=1&y=2',
        fields: { _csrf: 'a"b\'c<', interaction: 'abc', userName: '', password: '' },
        buttons: [{ name: 'decision', value: 'allow', text: 'Allow' }]
      },
      { method: 'GET', action: '/logout', fields: {}, buttons: [{ name: '', value: '', text: 'Sign out' }] }
    ])
  })

  it('finds no form in a page without one', () => {
    expect(formsOf('<html><body><p>Signed out</p></body></html>')).toEqual([])
  })
})

describe('attributesOf and decodeEntities', () => {
  it('read quoted, unquoted and bare attributes, names lower-cased', () => {
    expect(attributesOf('<INPUT Name="a" value=\'b c\' data-x=d REQUIRED>')).toEqual({ name: 'a', value: 'b c', 'data-x': 'd', required: '' })
  })

  it('leave unknown entities as they are', () => {
    expect(decodeEntities('&amp;&nbsp;&#65;&#x42;')).toBe('&&nbsp;AB')
  })
})
