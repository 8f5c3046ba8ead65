/**
 * The SDK's retry policy. Its pure rules live in common/retry-policy.ts so the local simulator and
 * the fault tests' client retry exactly as the SDK does; this module keeps the SDK's import path.
 */
export {
  decide,
  parseRetryAfter,
  retryDelay,
} from '../../common/retry-policy.js';
