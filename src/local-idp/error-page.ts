import { escapeHtml, idpPage } from './html.ts';

/** Italian explanations of the OAuth error codes a tester is likely to see. */
const EXPLANATIONS: Readonly<Record<string, string>> = {
  invalid_request: 'La richiesta di accesso non è valida.',
  invalid_client: 'Il servizio che ha chiesto l’accesso non è registrato presso questo identity provider.',
  invalid_redirect_uri: 'L’indirizzo di ritorno indicato dal servizio non è registrato.',
  access_denied: 'L’accesso è stato annullato.',
  login_required: 'Serve un nuovo accesso.',
  invalid_session: 'La sessione di accesso è scaduta o non è valida: torna al servizio e riprova.',
  session_not_found: 'La sessione di accesso è scaduta o non è valida: torna al servizio e riprova.',
  server_error: 'Si è verificato un errore interno dell’identity provider di prova.',
};

/**
 * The Italian error page of the local IdP. The original code and description (English, from
 * oidc-provider) are kept as technical details because testers need them to fix the client.
 */
export function renderErrorPage(error: string, description?: string): string {
  const explanation = EXPLANATIONS[error] ?? 'Non è stato possibile completare la richiesta.';
  const detail = description
    ? `<dd><span lang="en">${escapeHtml(description)}</span></dd>`
    : '';
  return idpPage(
    'Errore durante l’accesso di prova',
    `<p>${escapeHtml(explanation)}</p>
<h2 class="h5">Dettagli tecnici</h2>
<dl><dt>Codice</dt><dd><code>${escapeHtml(error)}</code></dd>${detail ? `<dt>Descrizione</dt>${detail}` : ''}</dl>`,
  );
}
