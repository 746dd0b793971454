-- What an order asked for, hashed (src/gateway/orders.ts `orderFingerprint`): a retried request under the same order
-- key is the same order only if it asks for the same thing. Another body under a key already used is refused, so a
-- key that leaked (an Idempotency-Key, a form's orderKey) never hands someone else's order, nor a token for it.
-- Orders placed before this column have none: a replay of their key is refused too.
ALTER TABLE "pack" ADD COLUMN "order_fingerprint" TEXT;
