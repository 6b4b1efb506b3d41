const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'
}

/** `text` safe inside HTML element content or a quoted attribute. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)

/**
 * The page an authorization request that cannot go back to its client ends on (unknown client,
 * redirect URI not registered, an expired sign-in): a sentence, and no link or redirect anywhere,
 * since nothing in the request can be trusted to say where.
 */
export function authorizationErrorPage (message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in problem</title></head>
<body>
<main>
<h1>This sign-in cannot continue</h1>
<p>${escapeHtml(message)}</p>
<p>Go back to the application you came from and start again.</p>
</main>
</body>
</html>
`
}
