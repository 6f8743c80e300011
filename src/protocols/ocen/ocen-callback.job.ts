import { answerJob } from '../../core/lending/partner-answers';

/**
 * Sends one OCEN `...Response` to the loan agent (the core's answer job, under OCEN's name): built once (validated
 * against the patched loan.json and stored sealed), then the stored bytes POSTed with our token and detached
 * signature. Retried with back-off by the queue until delivered; never two different answers.
 */
export const ocenCallbackJob = answerJob('ocen.callback');
