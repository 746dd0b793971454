-- The provider's own calendars (issue 17). Busy times read from the provider's calendar (CalDAV or an ICS address)
-- hold their ranges in calendar_slot beside the sessions, under the same exclusion constraint: a booking over a busy
-- time is refused by PostgreSQL, whatever the race between a booking and a sync.

-- A row is a session's range (source 'booking', with its booking and pack) or a busy time of the provider's calendar
-- (source 'calendar', neither).
ALTER TABLE "calendar_slot" ALTER COLUMN "booking_id" DROP NOT NULL;
ALTER TABLE "calendar_slot" ALTER COLUMN "pack_id" DROP NOT NULL;
ALTER TABLE "calendar_slot" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'booking';
ALTER TABLE "calendar_slot" ADD CONSTRAINT "calendar_slot_source_valid" CHECK (
  ("source" = 'booking' AND "booking_id" IS NOT NULL AND "pack_id" IS NOT NULL)
  OR ("source" = 'calendar' AND "booking_id" IS NULL AND "pack_id" IS NULL)
);
CREATE INDEX "calendar_slot_source_idx" ON "calendar_slot"("source") WHERE "released_at" IS NULL;

-- Where the provider's busy times are read from (a single row): a CalDAV account or a read-only ICS address, and
-- the outcome of the last reads. The CalDAV password is stored encrypted (src/infra/calendar-secret.ts).
CREATE TABLE "calendar_source" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "username" TEXT,
    "secret" TEXT,
    "interval_minutes" INTEGER NOT NULL DEFAULT 5,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_error_code" TEXT,
    "last_error" TEXT,
    "busy_count" INTEGER,

    CONSTRAINT "calendar_source_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "calendar_source_single" CHECK ("id" = 1),
    CONSTRAINT "calendar_source_kind_valid" CHECK ("kind" IN ('caldav', 'ics')),
    CONSTRAINT "calendar_source_interval_valid" CHECK ("interval_minutes" BETWEEN 1 AND 1440)
);

-- The busy times last read, as read (no title, no place: times only). calendar_slot holds the part of each that no
-- session holds already. When a session is released, the busy times behind it take its place (trigger below).
CREATE TABLE "calendar_busy" (
    "id" BIGSERIAL NOT NULL,
    "during" tstzrange NOT NULL,
    "all_day" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "calendar_busy_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "calendar_busy_range_valid" CHECK (NOT isempty("during") AND lower_inc("during") AND NOT upper_inc("during"))
);
CREATE INDEX "calendar_busy_during_idx" ON "calendar_busy" USING gist ("during");

-- The private address of the provider's sessions feed (/calendar/<token>.ics). A revoked token answers 404.
CREATE TABLE "calendar_feed" (
    "token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "calendar_feed_pkey" PRIMARY KEY ("token")
);
CREATE UNIQUE INDEX "calendar_feed_one_active" ON "calendar_feed" ((true)) WHERE "revoked_at" IS NULL;

-- Prisma's pg driver adapter runs a migration by splitting it at every semicolon (comments and function bodies
-- included): the functions below are single SQL statements, and the trigger's body is an E'' string with \073.

-- The provider's busy times meeting `win`, each followed by the buffer between sessions (a session after an
-- appointment keeps the gap it would keep after another session), as one multirange clipped to `win`.
CREATE FUNCTION calendar_busy_held(win tstzrange) RETURNS tstzmultirange LANGUAGE sql STABLE AS $$
  WITH buffer AS (SELECT make_interval(mins => COALESCE((SELECT buffer_minutes FROM availability WHERE id = 1), 0)) AS b)
  SELECT COALESCE(range_agg(tstzrange(lower(c.during), upper(c.during) + buffer.b, '[)')), '{}'::tstzmultirange) * tstzmultirange(win)
    FROM calendar_busy c, buffer
   WHERE tstzrange(lower(c.during), upper(c.during) + buffer.b, '[)') && win
$$;

-- Holds, within `win`, the busy times no active row holds yet. A piece that a concurrent transaction took first is
-- skipped (the next sync recomputes everything). Returns the number of rows inserted.
CREATE FUNCTION calendar_hold_busy(win tstzrange) RETURNS integer LANGUAGE sql AS $$
  WITH held AS (
    INSERT INTO calendar_slot (id, source, during)
    SELECT 'busy:' || gen_random_uuid()::text, 'calendar', r
      FROM unnest(
        calendar_busy_held(win)
        - COALESCE((SELECT range_agg(during) FROM calendar_slot WHERE released_at IS NULL AND during && win), '{}'::tstzmultirange)
      ) AS r
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT count(*)::integer FROM held
$$;

-- A released session gives its range back to the provider's busy times behind it, in the same transaction: a move or
-- a cancellation never opens a window where an appointment of the provider could be booked over.
CREATE FUNCTION calendar_slot_released() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM calendar_hold_busy(OLD.during)\073
  RETURN NULL\073
END
';
CREATE TRIGGER "calendar_slot_released" AFTER UPDATE OF "released_at" ON "calendar_slot" FOR EACH ROW
  WHEN (OLD."released_at" IS NULL AND NEW."released_at" IS NOT NULL AND NEW."source" = 'booking')
  EXECUTE FUNCTION calendar_slot_released();
