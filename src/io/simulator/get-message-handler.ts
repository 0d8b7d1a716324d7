/**
 * getMessage, FACTS.md §5: 400 bad path CF, 403 caller IP, 404 unknown id or id of another CF,
 * 403 message sent by another service, else 200 `{message, status}`. `content` is stored only when
 * the message is PROCESSED, so it is absent while ACCEPTED and for REJECTED/FAILED messages.
 * `notification`, `read_status` and `payment_status` are not returned (io-messages no longer fills
 * `notification`; the other two need ADVANCED read permissions).
 */
import { isIpAllowed } from './cidr.ts';
import type { OperationRequest, SimCore } from './core.ts';
import { describeFailures } from './decode.ts';
import type { StoredMessage } from './messages.ts';
import { type Reply, TEXT, forbidden, json, problem } from './responses.ts';
import { type MessageContent, decodePathFiscalCode } from './validate.ts';

export function getMessage(core: SimCore, req: OperationRequest): Reply {
  const cf = decodePathFiscalCode(req.pathFiscalCode ?? '');
  if (!cf.ok) return problem(400, 'Invalid FiscalCode', describeFailures(cf.failures));
  if (!isIpAllowed(req.clientIp, req.service.authorizedCidrs)) return forbidden();
  const stored = req.messageId === undefined ? undefined : core.messages.get(req.messageId);
  if (!stored || stored.fiscalCode !== cf.value) return problem(404, TEXT.messageNotFound[0], TEXT.messageNotFound[1]);
  if (stored.senderServiceId !== req.service.serviceId) return forbidden(TEXT.notYourMessage);
  const status = core.messages.status(stored, req.now, core.citizens);
  const message: Record<string, unknown> = {};
  if (status === 'PROCESSED') message.content = contentAsProcessed(stored);
  Object.assign(message, {
    created_at: stored.createdAt,
    fiscal_code: stored.fiscalCode,
    id: stored.id,
    sender_service_id: stored.senderServiceId,
    time_to_live: stored.timeToLive,
    feature_level_type: stored.featureLevelType,
  });
  return json(200, { message, status });
}

/** ProcessMessage stores the payment notice with a payee: the service organization when none was sent. */
function contentAsProcessed(m: StoredMessage): MessageContent {
  const payment = m.content.payment_data;
  if (!payment || payment.payee || !m.organizationFiscalCode) return m.content;
  return { ...m.content, payment_data: { ...payment, payee: { fiscal_code: m.organizationFiscalCode } } };
}
