import type { PrismaClient } from '../infra/database';
import type { Mailer } from '../infra/mailer';
import type { Stripe } from '../infra/stripe';
import { createCalendarActivities } from './calendars';
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
  const all = { ...DEFAULT_ACTIVITY_SETTINGS, ...settings };
  return {
    ...createPackActivities({ prisma, mailer, stripe, settings: all }),
    ...createCalendarActivities({ prisma, accessTokenSecret: all.accessTokenSecret, timezone: all.timezone }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivitySettings };
