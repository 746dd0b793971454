import { defineQuery } from '@temporalio/workflow';

/** Walking skeleton: proves gateway → Temporal → worker → activity → PostgreSQL → query → gateway. */
export interface WiringCheckInput {
  checkId: string;
  message: string;
}

export interface WiringCheckState {
  checkId: string;
  stored: boolean;
  storedAt?: string;
}

export const getWiringCheck = defineQuery<WiringCheckState>('getWiringCheck');
