import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { ChallengeService } from './challenge.service';

/** Sends a challenge's SMS. Calls the SMS gateway, so no transaction is open; the gateway drops a repeated messageId. */
export const deliverChallengeJob = defineJob({
  name: 'challenge.deliver',
  version: 1,
  schema: z.object({ challengeId: z.string().min(1) }),
  transactional: false,
  handle: (challenges: ChallengeService, payload, context) => challenges.deliver(payload.challengeId, context.messageId),
});
