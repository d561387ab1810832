/**
 * Every operation the platform feeds from the resident register through
 * linkage, in one list: the linkage worker runs a pass of each
 * (fed-by-linkage.ts).
 */
import { CHILD_ALLOWANCE_FEED } from './child-allowance/consumer.js';
import type { FedOperation } from './fed-by-linkage.js';
import { NHI_FEED } from './national-health-insurance/consumer.js';
import { RESIDENTIAL_TAX_FEED } from './residential-tax/consumer.js';

export const FED_OPERATIONS: readonly FedOperation<Record<string, number>>[] = [NHI_FEED, CHILD_ALLOWANCE_FEED, RESIDENTIAL_TAX_FEED];
