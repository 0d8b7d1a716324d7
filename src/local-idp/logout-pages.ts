import { escapeHtml, idpPage } from './html.ts';

/**
 * Confirmation page of RP-initiated logout. `form` is oidc-provider's hidden form
 * (id `op.logoutForm`, with its anti-forgery token); the buttons submit it from outside.
 */
export function renderLogoutPage(form: string, clientId: string | undefined): string {
  const from = clientId ? ` e dal servizio <strong>${escapeHtml(clientId)}</strong>` : '';
  return idpPage(
    'Vuoi uscire?',
    `<p>Stai per uscire dall'identity provider di prova${from}.</p>
${form}
<p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" class="btn btn-primary">Sì, esci</button>
<button type="submit" form="op.logoutForm" class="btn btn-outline-primary">No, resta collegato</button>
</p>`,
  );
}

/** Shown after logout when the client gave no `post_logout_redirect_uri`. */
export function renderLogoutSuccessPage(clientId: string | undefined): string {
  const from = clientId ? ` da <strong>${escapeHtml(clientId)}</strong>` : '';
  return idpPage('Sei uscito', `<p>L'uscita${from} è avvenuta. Puoi chiudere questa pagina.</p>`);
}
