-- A Zoom meeting per session (src/activities/meetings.ts), when Zoom is configured: the meeting a booking got, its
-- join link and the time it was last set to. The row is written before Zoom is asked, and read under its lock, so a
-- retried activity never makes a second meeting: an attempt that died before recording its meeting finds it again on
-- Zoom by the booking's reference in its topic.
CREATE TABLE "zoom_meeting" (
    "booking_id" UUID NOT NULL,
    "pack_id" UUID NOT NULL,
    "meeting_id" TEXT,
    "join_url" TEXT,
    "start_at" TIMESTAMPTZ(3),
    "duration_minutes" INTEGER,
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "zoom_meeting_pkey" PRIMARY KEY ("booking_id")
);
CREATE INDEX "zoom_meeting_pack_id_idx" ON "zoom_meeting"("pack_id");
