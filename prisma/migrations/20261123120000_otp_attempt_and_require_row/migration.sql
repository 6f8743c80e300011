-- The phone's guard row, created on first use and locked until the caller's transaction (or statement)
-- ends: the OTP attempts of one phone are counted one at a time.
CREATE FUNCTION otp_lock_guard(p_phone_hash TEXT) RETURNS otp_phone_guard
LANGUAGE plpgsql AS $$
DECLARE
  guard otp_phone_guard%ROWTYPE;
BEGIN
  INSERT INTO otp_phone_guard (phone_hash, consecutive_failures, lockouts, updated_at)
  VALUES (p_phone_hash, 0, 0, now())
  ON CONFLICT (phone_hash) DO NOTHING;
  SELECT * INTO guard FROM otp_phone_guard WHERE phone_hash = p_phone_hash FOR UPDATE;
  RETURN guard;
END;
$$;

-- A wrong code, judged atomically in one round trip and called as a statement of its own, so a wrong guess is
-- never rolled back (a right one goes through otp_use_matched below).
--
-- Under the phone's guard row lock: a locked phone is refused (LOCKED); otherwise one attempt of the
-- challenge is claimed (none left, or consumed: EXHAUSTED); the failure is counted, and the max_failures-th in
-- a row locks the phone for lockout_ms[n] (n = the phone's lock-outs so far + 1, the last entry repeating):
-- MISMATCH. The policy numbers come from the caller (src/core/challenge/challenge-policy.ts); only the
-- bookkeeping lives here.
CREATE FUNCTION otp_attempt(
  p_phone_hash TEXT,
  p_challenge_id TEXT,
  p_now TIMESTAMPTZ,
  p_max_failures INTEGER,
  p_lockout_ms BIGINT[]
) RETURNS TABLE (verdict TEXT, attempts INTEGER, locked_until TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  guard otp_phone_guard%ROWTYPE;
  claimed INTEGER;
  lockout BIGINT;
BEGIN
  guard := otp_lock_guard(p_phone_hash);
  IF guard.locked_until IS NOT NULL AND guard.locked_until > p_now THEN
    RETURN QUERY SELECT 'LOCKED'::TEXT, NULL::INTEGER, guard.locked_until;
    RETURN;
  END IF;

  UPDATE otp_challenge c SET attempts = c.attempts + 1
  WHERE c.id = p_challenge_id AND c.consumed_at IS NULL AND c.attempts < c.max_attempts
  RETURNING c.attempts INTO claimed;
  IF claimed IS NULL THEN
    RETURN QUERY SELECT 'EXHAUSTED'::TEXT, NULL::INTEGER, NULL::TIMESTAMPTZ;
    RETURN;
  END IF;

  IF guard.consecutive_failures + 1 >= p_max_failures THEN
    lockout := p_lockout_ms[LEAST(guard.lockouts + 1, array_length(p_lockout_ms, 1))];
    UPDATE otp_phone_guard
    SET consecutive_failures = 0, lockouts = guard.lockouts + 1,
        locked_until = p_now + make_interval(secs => lockout / 1000.0), updated_at = now()
    WHERE phone_hash = p_phone_hash;
  ELSE
    UPDATE otp_phone_guard SET consecutive_failures = guard.consecutive_failures + 1, updated_at = now() WHERE phone_hash = p_phone_hash;
  END IF;
  RETURN QUERY SELECT 'MISMATCH'::TEXT, claimed, NULL::TIMESTAMPTZ;
END;
$$;

-- A conditional write that must have touched a row (a compare-and-set, a one-time consumption) raises
-- instead of reporting zero rows, so it can be sent without waiting for its answer: the error aborts the
-- transaction and the server maps the code to its domain error. Codes of class CP are this server's own
-- (CP001, CP003 and CP004 are raised by otp_use_matched below):
--   CP002  the row was no longer in the expected state (concurrent modification)
CREATE FUNCTION require_row(present BOOLEAN, error_code TEXT, message TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT present THEN
    RAISE EXCEPTION USING ERRCODE = error_code, MESSAGE = message;
  END IF;
END;
$$;

-- A code that matched (compared by the caller) is counted together with the action it authorises: called
-- in the caller's transaction, it claims one attempt and consumes the challenge under the phone's guard row
-- lock, and commits or rolls back with that action. A wrong code is never judged here but by otp_attempt,
-- committed on its own. Refusals raise, so the call can be pipelined:
--   CP001  the challenge was consumed already
--   CP003  the phone is locked out (DETAIL: locked_until as an ISO 8601 instant)
--   CP004  the challenge has no attempt left
CREATE FUNCTION otp_use_matched(p_phone_hash TEXT, p_challenge_id TEXT, p_consumer TEXT, p_now TIMESTAMPTZ) RETURNS VOID
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  guard otp_phone_guard%ROWTYPE;
  used INTEGER;
BEGIN
  guard := otp_lock_guard(p_phone_hash);
  IF guard.locked_until IS NOT NULL AND guard.locked_until > p_now THEN
    RAISE EXCEPTION USING ERRCODE = 'CP003', MESSAGE = 'phone locked out',
      DETAIL = to_char(guard.locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  END IF;

  UPDATE otp_challenge c SET attempts = c.attempts + 1, consumed_at = p_now, consumed_by = p_consumer
  WHERE c.id = p_challenge_id AND c.consumed_at IS NULL AND c.attempts < c.max_attempts
  RETURNING c.attempts INTO used;
  IF used IS NULL THEN
    IF EXISTS (SELECT 1 FROM otp_challenge c WHERE c.id = p_challenge_id AND c.consumed_at IS NOT NULL) THEN
      RAISE EXCEPTION USING ERRCODE = 'CP001', MESSAGE = 'challenge already consumed';
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'CP004', MESSAGE = 'no attempt left';
  END IF;

  IF guard.consecutive_failures <> 0 THEN
    UPDATE otp_phone_guard SET consecutive_failures = 0, updated_at = now() WHERE phone_hash = p_phone_hash;
  END IF;
END;
$$;
