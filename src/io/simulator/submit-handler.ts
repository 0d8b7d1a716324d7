/**
 * submitMessageforUser(WithFiscalCodeInBody), FACTS.md §3, in IO's order of checks
 * (pagopa/io-messages CreateMessage: middlewares, then IP check, then handler):
 * body decoding (400) → path CF (400) → payload permission groups (403: eu_covid_cert, payee,
 * ADVANCED, third_party_data) → caller IP (403) → CF in path xor body (400 "Bad parameters") →
 * remote-content checks (403) → limited mode (403 "Recipient forbidden") → payment amount (400) → 201.
 * The recipient's profile is NOT checked: an unknown or opted-out citizen still gets 201, then REJECTED.
 */
import { isIpAllowed } from './cidr.ts';
import type { OperationRequest, SimCore } from './core.ts';
import { describeFailures } from './decode.ts';
import { type Reply, created, forbidden, problem, recipientForbidden } from './responses.ts';
import { type NewMessage, decodeNewMessage, decodePathFiscalCode } from './validate.ts';

export function submitMessage(core: SimCore, req: OperationRequest): Reply {
  const decoded = decodeNewMessage(req.body);
  if (!decoded.ok) return problem(400, 'Invalid message structure', describeFailures(decoded.failures));
  const message = decoded.value;
  if (req.pathFiscalCode !== undefined) {
    const cf = decodePathFiscalCode(req.pathFiscalCode);
    if (!cf.ok) return problem(400, 'Invalid FiscalCode', describeFailures(cf.failures));
  }
  const { service } = req;
  const denied = checkPayloadPermissions(req, message);
  if (denied) return denied;
  if (!isIpAllowed(req.clientIp, service.authorizedCidrs)) return forbidden();

  if (req.pathFiscalCode !== undefined && message.fiscal_code !== undefined) {
    return problem(400, 'Bad parameters', 'The fiscalcode parameter must be specified in the path or in the payload but not in both');
  }
  const fiscalCode = req.pathFiscalCode ?? message.fiscal_code;
  if (fiscalCode === undefined) return problem(400, 'Bad parameters', 'The fiscalcode parameter must be specified in the path or in the payload');

  const thirdParty = message.content.third_party_data;
  if (thirdParty && !thirdParty.configuration_id) {
    return problem(403, 'No configuration id for remote content', 'You did not send any configuration id for your remote content in third_party_data');
  }
  if (thirdParty?.has_attachments && message.feature_level_type !== 'ADVANCED') {
    return problem(403, 'Attachments call forbidden', 'You are not allowed to send messages with attachmens with STANDARD messages, please use ADVANCED');
  }
  if (service.limitedRecipients && !service.limitedRecipients.includes(fiscalCode)) return recipientForbidden();

  const amount = message.content.payment_data?.amount;
  const max = service.maxAllowedPaymentAmount ?? 0;
  if (amount !== undefined && amount > max) {
    return problem(400, 'Error while sending payment metadata', `The requested amount (${amount} cents) exceeds the maximum allowed for this service (${max} cents)`);
  }

  const { options } = core;
  const stored = core.messages.create({
    fiscalCode,
    senderServiceId: service.serviceId,
    timeToLive: message.time_to_live,
    featureLevelType: message.feature_level_type,
    content: message.content,
    readyAt: req.now + options.processingDelayMs,
    willFail: options.failRate > 0 && options.random() < options.failRate,
    organizationFiscalCode: service.organizationFiscalCode,
  });
  return created(`/api/v1/messages/${fiscalCode}/${stored.id}`, { id: stored.id });
}

/** AzureAllowBodyPayloadMiddleware checks: some payloads need an APIM group (a service flag here). */
function checkPayloadPermissions(req: OperationRequest, m: NewMessage): Reply | undefined {
  const s = req.service;
  if (m.content.eu_covid_cert && !s.euCovidCertEnabled) return forbidden('You do not have enough permissions to send an EUCovidCert message');
  if (m.content.payment_data?.payee && !s.payeeEnabled) return forbidden('You do not have enough permissions to send a payment message with payee');
  if (m.feature_level_type === 'ADVANCED' && !s.advancedEnabled) return forbidden('You do not have enough permissions to send a Premium message');
  if (m.content.third_party_data && m.feature_level_type !== 'ADVANCED' && !s.thirdPartyEnabled) {
    return forbidden('You do not have enough permissions to send a third party message');
  }
  return undefined;
}
