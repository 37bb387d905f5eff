import { ApplicationFailure, log } from '@temporalio/activity';
import { FailureCategory } from '../core/contracts';
import { checkUrlSafety, resolveAllAddresses, type UrlPolicy } from '../targets/url-safety';

/** Re-checks the target right before the scan: DNS may have changed since the API accepted it. */
export function createAssertUrlSafeActivity(policy: UrlPolicy, resolve: (host: string) => Promise<string[]> = resolveAllAddresses) {
  return {
    async assertUrlSafe({ url }: { url: string }): Promise<void> {
      let check;
      try {
        check = await checkUrlSafety(url, policy, resolve);
      } catch (err) {
        // DNS failures are transient until proven otherwise: let the retry policy try again.
        const code = (err as { code?: string }).code ?? 'lookup failed';
        throw ApplicationFailure.create({ type: FailureCategory.Navigation, message: `DNS lookup failed (${code})` });
      }
      if (!check.ok) {
        // The message is stored on the scan and shown to its client: it never holds a resolved address. The logs do.
        if (check.detail) log.warn('scan target refused', { url, category: check.category, detail: check.detail });
        throw ApplicationFailure.create({
          type: check.category === 'invalid_url' ? FailureCategory.InvalidUrl : FailureCategory.BlockedTarget,
          message: check.reason,
          nonRetryable: true,
        });
      }
    },
  };
}
