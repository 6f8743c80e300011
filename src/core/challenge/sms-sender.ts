/**
 * Port to the SMS gateway. Called by the job that delivers an OTP challenge, with no database transaction open;
 * `messageId` (the outbox message id) is the same on every retry, so a gateway can drop duplicates. The text holds
 * the OTP: never log it.
 */
export interface SmsSender {
  /** Resolves once the gateway accepted the message (`to`: the number with its country code, digits only); throws (AdapterError) when it did not. */
  send(message: { to: string; text: string; messageId: string }): Promise<void>;
}
