/**
 * getProfileByPOST (and the deprecated GET variant), FACTS.md §4: 400 bad CF, 403 "Recipient
 * forbidden" for a limited-mode service and a CF outside its recipients (checked before the profile,
 * so sandboxed accounts cannot learn who is on IO), 404 no profile or inbox disabled, else 200.
 */
import { isIpAllowed } from './cidr.ts';
import type { OperationRequest, SimCore } from './core.ts';
import { describeFailures } from './decode.ts';
import { type Reply, TEXT, forbidden, json, problem, recipientForbidden } from './responses.ts';
import { decodeFiscalCodePayload, decodePathFiscalCode } from './validate.ts';

export function getProfile(core: SimCore, req: OperationRequest): Reply {
  let fiscalCode: string;
  if (req.pathFiscalCode !== undefined) {
    const decoded = decodePathFiscalCode(req.pathFiscalCode);
    if (!decoded.ok) return problem(400, 'Invalid FiscalCode', describeFailures(decoded.failures));
    fiscalCode = decoded.value;
  } else {
    const decoded = decodeFiscalCodePayload(req.body);
    if (!decoded.ok) return problem(400, 'Invalid FiscalCodePayload', describeFailures(decoded.failures));
    fiscalCode = decoded.value.fiscal_code;
  }
  const { service } = req;
  if (!isIpAllowed(req.clientIp, service.authorizedCidrs)) return forbidden();
  if (service.limitedRecipients && !service.limitedRecipients.includes(fiscalCode)) return recipientForbidden();
  if (!core.citizens.hasProfile(fiscalCode)) return problem(404, TEXT.profileNotFound[0], TEXT.profileNotFound[1]);
  return json(200, { preferred_languages: ['it_IT'], sender_allowed: core.citizens.senderAllowed(fiscalCode, service.serviceId) });
}
