import type { Dispute } from '../../../core/dispute/dispute';
import type { DisputeState } from '../../../core/dispute/dispute-state';
import type * as W from '../../../generated/ocen-v3/ocen-v3-types';
import { V3Refusal } from '../ocen-v3-envelope';
import { V3Core, defineV3Operation } from '../ocen-v3-operation';

/** v3's dispute status of a core dispute state (see src/core/dispute/dispute.ts); v3's NEED_MORE_INFO is never sent. */
const V3_DISPUTE_STATUS: Record<DisputeState, NonNullable<W.Dispute['status']>> = {
  RAISED: 'NEW',
  ACKNOWLEDGED: 'PROCESSING',
  RESOLVED: 'RESOLVED',
  REJECTED: 'CLOSED',
};

/** A core dispute as v3's `dispute`: the agent's id, the status, the resolution note once closed (else what was raised), the evidence link. */
function v3Dispute(dispute: Dispute): W.Dispute {
  return {
    id: dispute.partnerReference,
    status: V3_DISPUTE_STATUS[dispute.state],
    description: dispute.resolution ?? dispute.description,
    ...(dispute.evidenceUrl ? { url: dispute.evidenceUrl } : {}),
  };
}

/** The agent's id of a dispute: v3 leaves `dispute.id` optional, we require it (a retried raise is told from a new one by it). */
function disputeIdOf(dispute: W.Dispute): string {
  if (!dispute.id) throw new V3Refusal('INVALID_REQUEST', 'dispute.id (your id of the dispute) is required', 400);
  return dispute.id;
}

/**
 * raiseDisputeRequest: a dispute about a granted loan (`loanId`), raised on the core (idempotent per the agent's
 * `dispute.id`; category OTHER, since v3 carries none; `dispute.description` required; `dispute.url` the evidence).
 * Answered with the dispute NEW.
 */
export const raiseDispute = (core: V3Core) => defineV3Operation<'loan/dispute/raiseDisputeRequest', { disputeId: string }>({
  request: 'loan/dispute/raiseDisputeRequest',

  async accept({ partnerId, body }) {
    const disputeId = disputeIdOf(body.dispute);
    const { dispute } = await core.disputes.raise({
      partnerId,
      partnerReference: disputeId,
      subject: { kind: 'LOAN', lenderReference: body.loanId },
      category: 'OTHER',
      description: body.dispute.description ?? '',
      evidenceUrl: body.dispute.url ?? null,
    });
    return { subjects: [dispute.applicationReference], context: { disputeId } };
  },

  async answer({ partnerId }, { disputeId }) {
    return { dispute: v3Dispute(await core.disputes.status(partnerId, disputeId)) };
  },
});

/** disputeStatusRequest: the agent's dispute (by `dispute.id`) as it stands. */
export const disputeStatus = (core: V3Core) => defineV3Operation<'loan/dispute/disputeStatusRequest', { disputeId: string }>({
  request: 'loan/dispute/disputeStatusRequest',

  async accept({ partnerId, body }) {
    const disputeId = disputeIdOf(body.dispute);
    const dispute = await core.disputes.status(partnerId, disputeId);
    return { subjects: [dispute.applicationReference], context: { disputeId } };
  },

  async answer({ partnerId }, { disputeId }) {
    return { dispute: v3Dispute(await core.disputes.status(partnerId, disputeId)) };
  },
});
