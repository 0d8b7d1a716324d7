import { citizenName, type TestCitizen } from './citizens.ts';
import { escapeHtml, idpPage } from './html.ts';

/** Title (and `<h1>`) of the citizen chooser. */
export const LOGIN_PAGE_TITLE = 'Accesso di prova — identità simulate';

/** Label of the button that logs in as `c`, e.g. "Entra come Mario Rossi (SPID livello 2)". */
export function loginButtonLabel(c: TestCitizen): string {
  return `Entra come ${citizenName(c)} (SPID livello ${c.level})`;
}

/** What the chooser needs to know about the pending authorization request. */
export interface LoginPageInput {
  /** Path of the interaction, e.g. `/idp/interaction/<uid>`; forms post to `…/login` and `…/abort`. */
  readonly interactionPath: string;
  readonly clientId: string;
  /** `acr_values` of the request, if any, shown so testers can pick a matching citizen. */
  readonly acrValues?: string;
  readonly citizens: readonly TestCitizen[];
}

/** One form per citizen, so that each choice is a single labelled button. */
function citizenForm(c: TestCitizen, action: string): string {
  const descId = `cittadino-${escapeHtml(c.id)}`;
  return `<li class="card shadow-sm p-3">
<form method="post" action="${escapeHtml(action)}" class="m-0">
<input type="hidden" name="citizen" value="${escapeHtml(c.id)}">
<h2 class="h4">${escapeHtml(citizenName(c))}</h2>
<p id="${descId}">Codice fiscale ${escapeHtml(c.fiscalCode)}, SPID livello ${c.level}; il codice arriva nell'attributo <code>${escapeHtml(c.fiscalClaim)}</code> con valore <code>${escapeHtml(c.fiscalClaimValue)}</code>.</p>
<button type="submit" class="btn btn-primary" aria-describedby="${descId}">${escapeHtml(loginButtonLabel(c))}</button>
</form>
</li>`;
}

/** The Italian page where a tester picks a simulated identity, or cancels. */
export function renderLoginPage(input: LoginPageInput): string {
  const levels = input.acrValues
    ? `<p>Livello di autenticazione richiesto dal servizio: <code>${escapeHtml(input.acrValues)}</code>. ` +
      `Puoi scegliere comunque qualsiasi identità: sarà il servizio a verificare il livello.</p>`
    : '';
  const body = `<div class="alert alert-warning" role="note">
<p class="m-0"><strong>Questo è un identity provider di prova, mai per la produzione.</strong> Le persone elencate sono inventate: nessuna credenziale viene verificata.</p>
</div>
<p>Il servizio <strong>${escapeHtml(input.clientId)}</strong> chiede di identificarti. Scegli l'identità con cui entrare: l'accesso e il consenso ai dati avvengono in un solo passo.</p>
${levels}
<ul class="idp-list">
${input.citizens.map((c) => citizenForm(c, `${input.interactionPath}/login`)).join('\n')}
</ul>
<form method="post" action="${escapeHtml(`${input.interactionPath}/abort`)}">
<p>Se non vuoi entrare, torna al servizio senza identificarti.</p>
<button type="submit" class="btn btn-outline-primary">Annulla</button>
</form>`;
  return idpPage(LOGIN_PAGE_TITLE, body);
}
