import fc, { type Arbitrary } from 'fast-check'

/** The JSON Schema keywords the services' OpenAPI documents use for parameters and bodies. */
export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
}

/** Says which value a named field gets instead of one from its schema (a secret, say); undefined: the schema's. */
export type FieldOverride = (name: string, schema: JsonSchema) => Arbitrary<unknown> | undefined

/** Strings parsers and loggers have tripped on before. */
const ODD_STRINGS = ['', ' ', '\u0000', '%00', '%zz', '../../etc/passwd', '\u202e', '\ud83d', '😀', "' OR 1=1 --",
  '<script>alert(1)</script>', '{}', '[]', 'null', 'undefined', '__proto__', 'constructor', 'NaN', '-0', '1e309']

/** Keys that break objects used as maps. */
export const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'a.b', 'a[b]']

/** A string of 1,000 to 20,000 repeated characters: past every `maxLength` and body limit the services set. */
export function hugeString (): Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom('a', 'é', '%', '\\', '😀', ' '))
    .map(([length, char]) => char.repeat(length))
}

function stringFor (schema: JsonSchema): Arbitrary<string> {
  const minLength = schema.minLength ?? 0
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 64, 256))
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength, unit: 'binary' }) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_STRINGS) }
  )
}

/** Any JSON value, small. */
export const anyJson: Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 })

/** A value of a type the schema does not allow (mostly: a union schema may accept some). */
export function wrongType (): Arbitrary<unknown> {
  return fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 }),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }))
}

/** Mostly what the schema accepts, sometimes a near miss: a wrong type, a huge string, an object missing a field. */
export function schemaValue (schema: JsonSchema, override: FieldOverride = () => undefined): Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: validValue(schema, override) },
    { weight: 1, arbitrary: fc.oneof(wrongType(), hugeString()) }
  )
}

/** A value the schema accepts, but for bounds that are cut short (and overrides, which may not fit). */
export function validValue (schema: JsonSchema, override: FieldOverride = () => undefined): Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives !== undefined && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((one) => validValue(one, override)))
  }
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'string': return stringFor(schema)
    case 'integer': return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 })
    case 'number': return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true })
    case 'boolean': return fc.boolean()
    case 'null': return fc.constant(null)
    case 'array': return fc.array(schemaValue(schema.items ?? {}, override), { maxLength: 4 })
    case 'object': return objectValue(schema, override)
    default: return anyJson
  }
}

/**
 * An object with the schema's properties, optional ones maybe missing (required ones one time in ten), maybe a
 * near miss, plus sometimes keys the schema does not name, odd ones included. Its entries, in order:
 * `Object.fromEntries` keeps a `__proto__` key as an own property, as a parsed body has it.
 */
function objectValue (schema: JsonSchema, override: FieldOverride): Arbitrary<Record<string, unknown>> {
  const required = new Set(schema.required ?? [])
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const value = override(name, property) ?? schemaValue(property, override)
    const presence = required.has(name) ? fc.constant(true) : fc.boolean()
    return fc.tuple(presence, value).map(([present, chosen]) => present ? [[name, chosen] as const] : [])
  })
  const oddKey = fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 12 }))
  const extra = fc.array(fc.tuple(oddKey, anyJson), { maxLength: 3 })
  return fc.tuple(fc.tuple(...fields), extra, fc.integer({ min: 0, max: 9 }))
    .map(([chosen, extras, dropRequired]) => Object.fromEntries([
      ...chosen.flat().filter(([name]) => dropRequired > 0 || !required.has(name)),
      ...extras
    ]))
}
