import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed search attributes of pack workflows (never PII), registered on every server the project starts. */
export const PACK_STATUS = defineSearchAttributeKey('PackStatus', SearchAttributeType.KEYWORD);
export const PACK_CODE = defineSearchAttributeKey('PackCode', SearchAttributeType.KEYWORD);
export const PACK_EXPIRES_AT = defineSearchAttributeKey('PackExpiresAt', SearchAttributeType.DATETIME);

export const SEARCH_ATTRIBUTES = [PACK_STATUS, PACK_CODE, PACK_EXPIRES_AT];
