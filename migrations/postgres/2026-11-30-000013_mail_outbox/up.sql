-- The landing pages Sesame may mail links to (`POST /api/one-time-tokens` with `send`): exact
-- URIs registered on an application. Kept as a list on the application (read with it) and one
-- row per URI here (the lookup of a `landingUri`).
ALTER TABLE applications ADD COLUMN landing_uris TEXT NOT NULL DEFAULT '[]';
CREATE TABLE application_landing_uris (
    uri TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    PRIMARY KEY (uri, application_id)
);
CREATE INDEX application_landing_uris_application ON application_landing_uris (application_id);

-- Mails to send, queued in the transaction of what they announce, sent by whichever instance
-- claims them (a lease: a crashed sender's claim runs out). `payload` holds the template's
-- values (a link with its token): blanked once the mail is sent or has failed for good.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    locale TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    one_time_token_id TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
-- The sender's lookup: mails due (pending, or claimed by a sender whose lease ran out).
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_token ON outbox (one_time_token_id);
CREATE INDEX outbox_finished ON outbox (finished_at);
