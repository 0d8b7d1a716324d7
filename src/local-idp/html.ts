/** Where GeNIO serves Bootstrap Italia; the pages stay usable if it is missing. */
export const BOOTSTRAP_ITALIA_CSS = '/static/bootstrap-italia/css/bootstrap-italia.min.css';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
};

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * A whole Italian HTML5 page of the local IdP: one `<main>` with the given `<h1>`, preceded by a
 * banner that says, on every page, that this identity provider is for tests only.
 */
export function idpPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} — IdP di prova GeNIO</title>
<link rel="stylesheet" href="${BOOTSTRAP_ITALIA_CSS}">
<style>.idp-main{max-width:48rem;margin:0 auto;padding:1.5rem 1rem}.idp-list{list-style:none;padding:0}.idp-list li{margin:0 0 1.5rem}</style>
</head>
<body>
<header class="bg-dark text-white p-3"><p class="m-0"><strong>Ambiente di prova.</strong> Identity provider simulato di GeNIO: non usarlo mai in produzione.</p></header>
<main id="main" class="idp-main">
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}
