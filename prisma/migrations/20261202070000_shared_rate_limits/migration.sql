-- Rate-limit counters shared by every gateway (src/gateway/http/limits.ts): one row per limiter and client address,
-- its hits in the current window and the window's end (epoch ms), in the layout rate-limiter-flexible's PostgreSQL
-- counter reads and writes. In a schema of its own: Prisma's schema (public) does not model it.
CREATE SCHEMA IF NOT EXISTS rate_limit;

CREATE TABLE rate_limit.hits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
);
