/** Port to the SMS gateway, called with no database transaction open. `messageId` is stable across retries so a driver can drop duplicates. */
export interface SmsSender {
  send(message: { to: string; text: string; messageId: string }): Promise<void>;
}
