-- CreateTable: the gateway's sessions (express-session, connect-pg-simple store): the client portal and the dashboard.
CREATE TABLE "http_session" (
    "sid" TEXT NOT NULL,
    "sess" JSONB NOT NULL,
    "expire" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "http_session_pkey" PRIMARY KEY ("sid")
);

-- CreateIndex
CREATE INDEX "http_session_expire_idx" ON "http_session"("expire");
