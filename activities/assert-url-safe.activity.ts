import { ApplicationFailure } from '@temporalio/activity';
import { FailureCategory } from '../workflows/contracts';
import { checkUrlSafety, type UrlPolicy } from './url-safety';

/** Re-checks the target right before the scan: DNS may have changed since the API accepted it. */
export function createAssertUrlSafeActivity(policy: UrlPolicy) {
  return {
    async assertUrlSafe({ url }: { url: string }): Promise<void> {
      let check;
      try {
        check = await checkUrlSafety(url, policy);
      } catch (err) {
        // DNS failures are transient until proven otherwise: let the retry policy try again.
        const code = (err as { code?: string }).code ?? 'lookup failed';
        throw ApplicationFailure.create({ type: FailureCategory.Navigation, message: `DNS lookup failed (${code})` });
      }
      if (!check.ok) {
        throw ApplicationFailure.create({
          type: check.category === 'invalid_url' ? FailureCategory.InvalidUrl : FailureCategory.BlockedTarget,
          message: check.reason,
          nonRetryable: true,
        });
      }
    },
  };
}
