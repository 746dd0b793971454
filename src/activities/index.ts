import type { PrismaClient } from '../infra/database';
import type { Mailer } from '../infra/mailer';
import type { Stripe } from '../infra/stripe';
import type { WiringCheckInput } from '../shared/wiring';
import { createPackActivities, DEFAULT_ACTIVITY_SETTINGS, type ActivitySettings } from './packs';

export interface ActivityDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  stripe: Stripe;
  /** Addresses, links and bank details used in emails; defaults suit local development. */
  settings?: Partial<ActivitySettings>;
}

/** All I/O of the workflows, built once per worker around its Prisma, mailer and Stripe clients. */
export function createActivities({ prisma, mailer, stripe, settings }: ActivityDeps) {
  return {
    ...createPackActivities({ prisma, mailer, stripe, settings: { ...DEFAULT_ACTIVITY_SETTINGS, ...settings } }),

    async recordWiringCheck(input: WiringCheckInput): Promise<{ storedAt: string }> {
      // Idempotent: a retried attempt finds the row it wrote.
      const row = await prisma.wiringCheck.upsert({
        where: { id: input.checkId },
        create: { id: input.checkId, message: input.message },
        update: {},
      });
      return { storedAt: row.createdAt.toISOString() };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivitySettings };
