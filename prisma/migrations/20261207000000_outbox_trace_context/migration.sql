-- W3C trace context of the work that staged an outbox message (README "Traces"): the `traceparent` of its span
-- (version, trace id, parent span id, flags) and the caller's `tracestate`, passed to the queue by the relay so that
-- the worker runs the job as a child span of that work. Null for work staged outside any trace (the reconciler's).
-- Nullable and unread by earlier releases: safe to apply before or during a rolling deploy.
ALTER TABLE "outbox_message" ADD COLUMN "trace_parent" TEXT;
ALTER TABLE "outbox_message" ADD COLUMN "trace_state" TEXT;
