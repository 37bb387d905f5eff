import { parseAllowedHosts, type UrlPolicy } from './url-safety';
import type { Env } from '../lib/env';

/** The target rules from configuration; the API and the workers must apply the same ones. */
export function urlPolicyFrom(env: Env): UrlPolicy {
  return {
    allowPrivateTargets: env.SCAN_ALLOW_PRIVATE_TARGETS,
    allowedHosts: parseAllowedHosts(env.SCAN_ALLOWED_HOSTS),
    maxUrlLength: env.MAX_URL_LENGTH,
  };
}
